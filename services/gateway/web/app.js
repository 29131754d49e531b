// trin — the partners' web app (issue 16): its core. Plain JS, served by
// trin-gateway at /app/, talking only to the gateway's public HTTP API under
// ../api/v1/ — everything done here can be done with curl.
//
// Sign-in: with the organisation's own account (OpenID Connect, the
// authorization code flow with PKCE, done here in the browser as a public
// client: signInWithOpenId, finishOpenId) or with a personal token (trinctl
// token create --service gateway ...). Either way the token is held in the
// variable `state.token` only: never localStorage or a cookie. A reload
// forgets it and asks again, on the page that was asked for (the route is
// the URL's hash). Only while the browser is away at the identity provider
// does sessionStorage hold the PKCE verifier and the state, removed the
// moment it comes back.
'use strict';

const API = '../api/v1';

const state = {
  token: null,     // the bearer token, in memory only
  me: null,        // GET /api/v1/me: {organisation, role, person}
  roles: null,     // request name ("lifecycle/ReportDefect") -> roles allowed (x-trin-roles)
  lang: 'da',
  langChosen: false,  // switched by hand: links carry ?lang=
  orgs: null,      // organisation id -> name
  etag: null,      // the shown project's ETag
  project: null,
  epoch: 0,        // bumped at every sign-out: answers to requests sent before are dropped
};

// ---------------------------------------------------------------- extensions

// The app's other files (loaded after this one by index.html, each with one
// part of the app: economy.js, survey.js, ...) add their words, pages,
// menu entries and project sections through these, so that each part lives
// in its own file; everything in this file is theirs to use.
const EXT = {
  pages: [],     // {match(parts) -> truthy, show(main, parts, params)}
  nav: [],       // {key (a word), path, current (the page's name)}
  sections: [],  // the project page's sections, in order: {key, build(ctx) -> Node | Promise<Node>}
  shown: [],     // called after every page shown, the sign-in page and sign-out included
};
function onShown(fn) { EXT.shown.push(fn); }
function shown() { for (const fn of EXT.shown) fn(); }
function addWords(words) { for (const l of Object.keys(words)) Object.assign(WORDS[l], words[l]); }
function addPage(match, show) { EXT.pages.push({ match, show }); }
function addNav(key, path, current) { EXT.nav.push({ key, path, current }); }
// A new section after `after` (a key; at the end when not found), or, when
// `key` is already there, in place of it.
function addProjectSection(key, build, after) {
  const have = EXT.sections.findIndex((x) => x.key === key);
  if (have >= 0) { EXT.sections[have] = { key, build }; return; }
  const at = EXT.sections.findIndex((x) => x.key === after);
  EXT.sections.splice(at >= 0 ? at + 1 : EXT.sections.length, 0, { key, build });
}

// ---------------------------------------------------------------- words

const WORDS = {
  da: {
    skip: 'Gå til indhold', mainNav: 'Hovedmenu', loading: 'Indlæser …',
    portfolio: 'Portefølje', signIn: 'Log ind', signOut: 'Log ud', lang: 'English', langName: 'Skift sprog til engelsk',
    signInTitle: 'Log ind på trin', tokenLabel: 'Personligt token',
    tokenHint: 'Dit token fra partnerskabets administrator (trinctl token create --service gateway). Det gemmes kun i denne fanes hukommelse: genindlæser du siden, skal du logge ind igen.',
    tokenMissing: 'Skriv dit token.', signedOut: 'Du er logget ud.', sessionGone: 'Dit token blev ikke godtaget længere. Log ind igen.',
    withAccount: 'Med din organisations konto', withToken: 'Eller med et personligt token',
    signInWith: 'Log ind med', oidcFailed: 'Log ind mislykkedes:', oidcState: 'svaret fra log ind-siden passede ikke til denne fane; prøv igen.',
    signedInAs: 'Logget ind som', of: 'hos',
    notFoundTitle: 'Siden findes ikke', back: 'Tilbage til porteføljen',
    projectMissing: 'Projektet findes ikke', partnershipMissing: 'Partnerskabet findes ikke',
    projectMissingText: 'Der er intet projekt med dette id, som du kan se.',
    partnershipMissingText: 'Der er intet partnerskab med dette id, som du kan se.',
    noAccess: 'Din rolle giver ikke adgang til denne side.',
    filters: 'Filtre', partnership: 'Partnerskab', allPartnerships: 'Alle partnerskaber', stage: 'Fase', allStages: 'Alle faser',
    status: 'Status', allStatus: 'Alle', filter: 'Filtrér', clearFilters: 'Nulstil',
    byStage: 'Projekter efter fase', byRag: 'Projekter efter status', count: 'Antal',
    outside: 'Uden for partnerskab', project: 'Projekt', overall: 'Samlet', time: 'Tid', economy: 'Økonomi',
    satisfaction: 'Tilfredshed', drift: 'Afvigelse Skema A→B', disputesOpen: 'Åbne tvister', defectsOpen: 'Åbne fejl og mangler',
    noProjects: 'Ingen projekter passer til filtrene.', shown: 'projekter vist', shownOne: 'projekt vist', noRows: 'Statusrækker er ikke tilgængelige; viser projekterne uden rød/gul/grøn.',
    facts: 'Fakta', client: 'Bygherre', kind: 'Type', since: 'siden', paused: 'Sat på pause', notPaused: 'Ikke på pause',
    priceClosed: 'Pris lukket', priceOpen: 'Pris ikke lukket', dwellings: 'Boliger', area: 'Bruttoareal', startDate: 'Start',
    stages: 'Faser og pauser', stageHistory: 'Faseforløb', pauses: 'Pauser', noPauses: 'Ingen pauser.', ongoing: 'fortsat',
    milestones: 'Milepæle', milestone: 'Milepæl', baseline: 'Basisplan', forecast: 'Prognose', actual: 'Faktisk', variance: 'Afvigelse',
    days: 'dage', noMilestones: 'Ingen milepæle endnu.', late: 'forsinket', early: 'foran', onTime: 'til tiden',
    disputes: 'Tvister', dispute: 'Tvist', noDisputes: 'Ingen tvister.', title: 'Titel', amount: 'Beløb', level: 'Niveau',
    openedOn: 'Åbnet', raisedBy: 'Rejst af', open: 'Åben', resolved: 'Løst', resolution: 'Afgørelse', settled: 'Forligt beløb',
    ladder: 'Tvistløsningstrappen', by: 'af',
    defects: 'Fejl og mangler', noDefects: 'Ingen fejl og mangler.', description: 'Beskrivelse', severity: 'Alvor', foundAt: 'Fundet ved',
    reportedOn: 'Meldt', dueOn: 'Frist', fixedOn: 'Udbedret', costBearer: 'Bærer omkostningen', fixed: 'Udbedret',
    budgets: 'Økonomi', budgetList: 'Budgetter', noBudgets: 'Ingen budgetter endnu.', date: 'Dato', total: 'I alt',
    driftTitle: 'Afvigelse fra Skema A til Skema B', noDrift: 'Ingen afvigelse at vise endnu (kræver godkendt Skema A og B og indekstal).',
    market: 'Markedsudvikling (indeks)', scope: 'Besluttede ændringer', unexplained: 'Uforklaret', notAvailable: 'Ikke tilgængeligt',
    survey: 'Tilfredshed (følgegruppe og parter)', noSurvey: 'Ingen tilfredshedsmåling endnu.', mean: 'Gennemsnit', trend: 'Udvikling',
    alert: 'Advarsel', noResults: 'Ingen svar endnu.', round: 'Runde', scale: 'skala', respondents: 'besvarelser',
    suppressed: 'skjult (for få svar)', meansBy: 'Gennemsnit pr. udsagn og rolle', statement: 'Udsagn', trendUp: 'stigende', trendDown: 'faldende', trendFlat: 'uændret',
    members: 'Medlemmer og roller', organisation: 'Organisation', role: 'Rolle', term: 'Rammeaftale',
    frameworkStart: 'Rammeaftalens start', frameworkYears: 'Løbetid', extension: 'Forlængelse', frameworkEnd: 'Sidste dag for projektstart',
    horizon: 'Samarbejdshorisont', horizonEnd: 'Horisontens slut', years: 'år', priceClosing: 'Prislukningspunkt', abtStart: 'ABT fra',
    frameUsed: 'Brugt af den økonomiske ramme', frameNone: 'ingen ramme angivet', ofFrame: 'af', termLeft: 'Rammeaftalen løber til',
    left: 'tilbage', ended: 'udløbet', monthsShort: 'mdr.', yearOne: 'år', yearMany: 'år', meanOf: 'gennemsnit af', projectWord: 'projekt', projectsWord: 'projekter',
    frame: 'Økonomisk ramme', threshold: 'Bagatelgrænse', projects: 'Projekter', disputesByLevel: 'Tvister efter niveau',
    openCount: 'Åbne', resolvedCount: 'Løste', notStated: 'ikke oplyst',
    // forms
    advance: 'Ryk til næste fase', toStage: 'Ny fase', note: 'Note', save: 'Gem',
    pause: 'Sæt på pause', resume: 'Genoptag', reason: 'Årsag',
    setMilestone: 'Sæt milepælens datoer', milestoneName: 'Milepæl (id)', newMilestone: 'Ny milepæl',
    openDispute: 'Rejs en tvist', disputeId: 'Tvistens id', amountKr: 'Beløb i kr.', amountHint: 'F.eks. 25.000,00',
    escalate: 'Løft tvisten', toLevel: 'Til niveau', byOrg: 'Løftet af', resolve: 'Afgør tvisten',
    settledKr: 'Forligt beløb i kr.', reportDefect: 'Meld fejl eller mangel', defectId: 'Id', fix: 'Meld udbedret',
    arbitrationBy: 'Frist for Voldgiftsnævnet', arbitrationWhy: '8 uger efter opmand (AB18 § 68): ellers er opmandens afgørelse bindende', changedBy: 'Ændret af', changedAt: 'den', saved: 'Gemt.', stale: 'Projektet er ændret, siden du hentede det. Hent den nye udgave, og prøv igen.', reload: 'Hent projektet igen',
    refused: 'Ikke gemt', amountBad: 'Skriv beløbet som kroner, f.eks. 25.000,00.',
    optional: '(valgfri)', forbiddenWrite: 'Din rolle må ikke',
    // corrections (issue 19)
    editProject: 'Ret projektoplysninger', name: 'Navn', municipality: 'Kommune', department: 'Afdeling',
    areaM2: 'Bruttoareal i m²', why: 'Begrundelse', whyHint: 'Hvorfor rettes det? Begrundelsen gemmes med rettelsen, sammen med hvem der rettede.',
    nothingChanged: 'Du har ikke ændret noget: ret mindst ét felt.', whole: 'Skriv et helt tal, 0 eller derover.',
    correctStage: 'Ret fejlagtigt trinskift', correctStageWhat: 'Projektet går tilbage fra {from} til {to}, med den fases egen startdato ({since}). Faseforløbet beholder trinskiftet og får en rettelse med begrundelsen.',
    correctStageGo: 'Ret trinskiftet', correctedTo: 'Rettet tilbage til', correctedNote: 'begrundelse', correctedBy: 'rettet af', undone: 'trinskiftet er rettet',
    editedSaved: 'Projektoplysningerne er rettet.', stageCorrected: 'Trinskiftet er rettet: projektet er tilbage i {stage}.',
    rag: { green: 'Grøn', amber: 'Gul', red: 'Rød', '': 'Ingen' },
  },
  en: {
    skip: 'Skip to content', mainNav: 'Main menu', loading: 'Loading …',
    portfolio: 'Portfolio', signIn: 'Sign in', signOut: 'Sign out', lang: 'Dansk', langName: 'Skift sprog til dansk',
    signInTitle: 'Sign in to trin', tokenLabel: 'Personal token',
    tokenHint: 'Your token from the partnership\'s administrator (trinctl token create --service gateway). It is kept only in this tab\'s memory: after a reload you sign in again.',
    tokenMissing: 'Enter your token.', signedOut: 'You are signed out.', sessionGone: 'Your token is no longer accepted. Sign in again.',
    withAccount: 'With your organisation\'s account', withToken: 'Or with a personal token',
    signInWith: 'Sign in with', oidcFailed: 'Signing in failed:', oidcState: 'the answer from the sign-in page did not match this tab; try again.',
    signedInAs: 'Signed in as', of: 'at',
    notFoundTitle: 'No such page', back: 'Back to the portfolio',
    projectMissing: 'The project does not exist', partnershipMissing: 'The partnership does not exist',
    projectMissingText: 'There is no project with this id that you can see.',
    partnershipMissingText: 'There is no partnership with this id that you can see.',
    noAccess: 'Your role gives no access to this page.',
    filters: 'Filters', partnership: 'Partnership', allPartnerships: 'All partnerships', stage: 'Stage', allStages: 'All stages',
    status: 'Status', allStatus: 'All', filter: 'Filter', clearFilters: 'Clear',
    byStage: 'Projects by stage', byRag: 'Projects by status', count: 'Count',
    outside: 'Outside any partnership', project: 'Project', overall: 'Overall', time: 'Time', economy: 'Economy',
    satisfaction: 'Satisfaction', drift: 'Drift Skema A→B', disputesOpen: 'Open disputes', defectsOpen: 'Open defects',
    noProjects: 'No project matches the filters.', shown: 'projects shown', shownOne: 'project shown', noRows: 'Status rows are not available; showing the projects without red/amber/green.',
    facts: 'Facts', client: 'Client', kind: 'Kind', since: 'since', paused: 'Paused', notPaused: 'Not paused',
    priceClosed: 'Price closed', priceOpen: 'Price not closed', dwellings: 'Dwellings', area: 'Gross area', startDate: 'Start',
    stages: 'Stages and pauses', stageHistory: 'Stage history', pauses: 'Pauses', noPauses: 'No pauses.', ongoing: 'ongoing',
    milestones: 'Milestones', milestone: 'Milestone', baseline: 'Baseline', forecast: 'Forecast', actual: 'Actual', variance: 'Variance',
    days: 'days', noMilestones: 'No milestones yet.', late: 'late', early: 'early', onTime: 'on time',
    disputes: 'Disputes', dispute: 'Dispute', noDisputes: 'No disputes.', title: 'Title', amount: 'Amount', level: 'Level',
    openedOn: 'Opened', raisedBy: 'Raised by', open: 'Open', resolved: 'Resolved', resolution: 'Resolution', settled: 'Settled amount',
    ladder: 'The dispute ladder (tvistløsningstrappe)', by: 'by',
    defects: 'Defects (fejl og mangler)', noDefects: 'No defects.', description: 'Description', severity: 'Severity', foundAt: 'Found at',
    reportedOn: 'Reported', dueOn: 'Due', fixedOn: 'Fixed', costBearer: 'Bears the cost', fixed: 'Fixed',
    budgets: 'Economy', budgetList: 'Budgets', noBudgets: 'No budgets yet.', date: 'Date', total: 'Total',
    driftTitle: 'Drift from Skema A to Skema B', noDrift: 'No drift to show yet (needs approved Skema A and B and index points).',
    market: 'Market (index)', scope: 'Decided scope changes', unexplained: 'Unexplained', notAvailable: 'Not available',
    survey: 'Satisfaction (følgegruppe and parties)', noSurvey: 'No satisfaction survey yet.', mean: 'Mean', trend: 'Trend',
    alert: 'Alert', noResults: 'No answers yet.', round: 'Round', scale: 'scale', respondents: 'respondents',
    suppressed: 'hidden (too few answers)', meansBy: 'Means by statement and role', statement: 'Statement', trendUp: 'rising', trendDown: 'falling', trendFlat: 'flat',
    members: 'Members and roles', organisation: 'Organisation', role: 'Role', term: 'Framework agreement',
    frameworkStart: 'Framework start', frameworkYears: 'Term', extension: 'Extension', frameworkEnd: 'Last day a project may start',
    horizon: 'Collaboration horizon', horizonEnd: 'Horizon ends', years: 'years', priceClosing: 'Price-closing point', abtStart: 'ABT from',
    frameUsed: 'Economic frame used', frameNone: 'no frame stated', ofFrame: 'of', termLeft: 'The framework agreement runs to',
    left: 'left', ended: 'ended', monthsShort: 'months', yearOne: 'year', yearMany: 'years', meanOf: 'mean of', projectWord: 'project', projectsWord: 'projects',
    frame: 'Economic frame', threshold: 'Bagatelgrænse (trivial threshold)', projects: 'Projects', disputesByLevel: 'Disputes by level',
    openCount: 'Open', resolvedCount: 'Resolved', notStated: 'not stated',
    advance: 'Advance to the next stage', toStage: 'New stage', note: 'Note', save: 'Save',
    pause: 'Pause the project', resume: 'Resume', reason: 'Reason',
    setMilestone: 'Set a milestone\'s dates', milestoneName: 'Milestone (id)', newMilestone: 'New milestone',
    openDispute: 'Open a dispute', disputeId: 'Dispute id', amountKr: 'Amount in DKK', amountHint: 'E.g. 25,000.00',
    escalate: 'Escalate the dispute', toLevel: 'To level', byOrg: 'Escalated by', resolve: 'Resolve the dispute',
    settledKr: 'Settled amount in DKK', reportDefect: 'Report a defect', defectId: 'Id', fix: 'Report fixed',
    arbitrationBy: 'Deadline for Voldgiftsnævnet (arbitration)', arbitrationWhy: '8 weeks after the umpire (AB18 § 68): else the umpire\'s decision binds', changedBy: 'Changed by', changedAt: 'on', saved: 'Saved.', stale: 'The project has changed since you loaded it. Load the new version and try again.', reload: 'Reload the project',
    refused: 'Not saved', amountBad: 'Write the amount in kroner, e.g. 25,000.00.',
    optional: '(optional)', forbiddenWrite: 'Your role may not',
    editProject: 'Correct the project\'s facts', name: 'Name', municipality: 'Municipality', department: 'Department',
    areaM2: 'Gross area in m²', why: 'Reason', whyHint: 'Why is it corrected? The reason is kept with the correction, with who corrected it.',
    nothingChanged: 'You changed nothing: correct at least one field.', whole: 'Write a whole number, 0 or more.',
    correctStage: 'Correct a stage advanced by mistake', correctStageWhat: 'The project goes back from {from} to {to}, with that stage\'s own start date ({since}). The stage history keeps the step and gains a correction with the reason.',
    correctStageGo: 'Correct the stage', correctedTo: 'Corrected back to', correctedNote: 'reason', correctedBy: 'corrected by', undone: 'the step was corrected',
    editedSaved: 'The project\'s facts are corrected.', stageCorrected: 'The stage is corrected: the project is back in {stage}.',
    rag: { green: 'Green', amber: 'Amber', red: 'Red', '': 'None' },
  },
};

// The stage machine's next steps (lifecycle_rules: trin_stage_next); the
// service still decides, this only leaves out what it would refuse.
const NEXT = { pre_study: ['trin1', 'trin1_2'], trin1: ['trin2'], trin2: ['trin3'], trin1_2: ['trin3'], trin3: ['handover'],
               handover: ['inspection_1y'], inspection_1y: ['inspection_5y'], inspection_5y: ['closed'], closed: [] };
const STAGES = ['pre_study', 'trin1', 'trin2', 'trin1_2', 'trin3', 'handover', 'inspection_1y', 'inspection_5y', 'closed'];
// The stage a correction goes back to (lifecycle_rules: lifecycle_stage_previous),
// and the stages' order: an entry of the stage history below the one before
// it is a correction (CorrectStage adds the stage gone back to, note = reason).
function previousStage(p) {
  if (p.stage === 'trin3') return p.fast_track ? 'trin1_2' : 'trin2';
  return { trin1: 'pre_study', trin2: 'trin1', trin1_2: 'pre_study', handover: 'trin3', inspection_1y: 'handover',
           inspection_5y: 'inspection_1y', closed: 'inspection_5y' }[p.stage] || null;
}
const STAGE_RANK = { pre_study: 0, trin1: 1, trin2: 2, trin1_2: 2, trin3: 3, handover: 4, inspection_1y: 5, inspection_5y: 6, closed: 7 };
const TERMS = {
  da: {
    stage: { pre_study: 'Forundersøgelse', trin1: 'Trin 1', trin2: 'Trin 2', trin1_2: 'Trin 1 og 2 (hurtigt spor)', trin3: 'Trin 3',
             handover: 'Aflevering', inspection_1y: '1-års gennemgang', inspection_5y: '5-års gennemgang', closed: 'Afsluttet' },
    level: ['', 'Projektledere', 'Den operationelle ledelse', 'Konfliktforum', 'Styregruppen', 'Mægling', 'Opmand', 'Voldgiftsnævnet'],
    pause: { resident_democracy: 'Beboerdemokrati', authority: 'Myndighedsbehandling', landsbyggefonden: 'Landsbyggefonden',
             financing: 'Finansiering', other: 'Andet' },
    severity: { minor: 'Mindre', major: 'Væsentlig', critical: 'Kritisk' },
    change: { 'lifecycle.stage_changed': 'ny fase', 'lifecycle.project_paused': 'sat på pause', 'lifecycle.project_resumed': 'genoptaget',
              'lifecycle.milestone_set': 'milepæl sat', 'lifecycle.price_closed': 'prisen lukket', 'lifecycle.dispute_opened': 'tvist åbnet',
              'lifecycle.dispute_escalated': 'tvist løftet', 'lifecycle.dispute_resolved': 'tvist afgjort',
              'lifecycle.defect_reported': 'fejl eller mangel meldt', 'lifecycle.defect_fixed': 'fejl eller mangel udbedret',
              'lifecycle.defect_fix_reported': 'udbedring meldt, afventer bygherren', 'lifecycle.defect_fix_confirmed': 'udbedring godkendt',
              'lifecycle.defect_fix_rejected': 'udbedring afvist',
              'lifecycle.project_created': 'projektet oprettet', 'lifecycle.project_edited': 'projektet rettet',
              'lifecycle.stage_corrected': 'fasen rettet' },
    foundAt: { handover: 'Aflevering', inspection_1y: '1-års gennemgang', inspection_5y: '5-års gennemgang', other: 'Andet' },
    orgKind: { client: 'Bygherre', advisor: 'Rådgiver', contractor: 'Entreprenør', developer: 'Udvikler', resident_committee: 'Beboerrepræsentation' },
    projectKind: { helhedsplan: 'Helhedsplan', renovation: 'Renovering', new_build: 'Nybyggeri', maintenance: 'Vedligehold' },
    priceClosing: { projektforslag: 'Projektforslag', myndighedsprojekt: 'Myndighedsprojekt', udbudsprojekt: 'Udbudsprojekt' },
    budgetKind: { skema_a: 'Skema A', skema_b: 'Skema B', skema_c: 'Skema C', forecast: 'Prognose' },
    budgetStatus: { draft: 'Kladde', submitted: 'Indsendt', approved: 'Godkendt' },
    surveyRole: { all: 'Alle', resident_committee: 'Følgegruppe', residents: 'Beboere', client: 'Bygherre', advisor: 'Rådgiver', contractor: 'Entreprenør' },
    role: { writer: 'skrivende', reader: 'læser', calculator: 'kalkulatør', advisor: 'rådgiver', resident: 'beboerrepræsentant', admin: 'administrator' },
  },
  en: {
    stage: { pre_study: 'Pre-study (forundersøgelse)', trin1: 'Trin 1', trin2: 'Trin 2', trin1_2: 'Trin 1 and 2 (fast track)', trin3: 'Trin 3',
             handover: 'Handover (aflevering)', inspection_1y: '1-year inspection', inspection_5y: '5-year inspection', closed: 'Closed' },
    level: ['', 'Project managers', 'Operational management', 'Conflict forum', 'Steering group', 'Mediation', 'Umpire (opmand)', 'Arbitration board'],
    pause: { resident_democracy: 'Resident democracy', authority: 'Authority', landsbyggefonden: 'Landsbyggefonden',
             financing: 'Financing', other: 'Other' },
    severity: { minor: 'Minor', major: 'Major', critical: 'Critical' },
    change: { 'lifecycle.stage_changed': 'a new stage', 'lifecycle.project_paused': 'paused', 'lifecycle.project_resumed': 'resumed',
              'lifecycle.milestone_set': 'a milestone set', 'lifecycle.price_closed': 'the price closed', 'lifecycle.dispute_opened': 'a dispute opened',
              'lifecycle.dispute_escalated': 'a dispute escalated', 'lifecycle.dispute_resolved': 'a dispute resolved',
              'lifecycle.defect_reported': 'a defect reported', 'lifecycle.defect_fixed': 'a defect fixed',
              'lifecycle.defect_fix_reported': 'a repair reported, awaiting the client', 'lifecycle.defect_fix_confirmed': 'a repair confirmed',
              'lifecycle.defect_fix_rejected': 'a repair rejected',
              'lifecycle.project_created': 'the project created', 'lifecycle.project_edited': 'the project corrected',
              'lifecycle.stage_corrected': 'the stage corrected' },
    foundAt: { handover: 'Handover', inspection_1y: '1-year inspection', inspection_5y: '5-year inspection', other: 'Other' },
    orgKind: { client: 'Client', advisor: 'Advisor', contractor: 'Contractor', developer: 'Developer', resident_committee: 'Resident committee' },
    projectKind: { helhedsplan: 'Helhedsplan (comprehensive plan)', renovation: 'Renovation', new_build: 'New build', maintenance: 'Maintenance' },
    priceClosing: { projektforslag: 'Projektforslag', myndighedsprojekt: 'Myndighedsprojekt', udbudsprojekt: 'Udbudsprojekt' },
    budgetKind: { skema_a: 'Skema A', skema_b: 'Skema B', skema_c: 'Skema C', forecast: 'Forecast' },
    budgetStatus: { draft: 'Draft', submitted: 'Submitted', approved: 'Approved' },
    surveyRole: { all: 'All', resident_committee: 'Følgegruppe (resident committee)', residents: 'Residents', client: 'Client', advisor: 'Advisor', contractor: 'Contractor' },
    role: { writer: 'writer', reader: 'reader', calculator: 'calculator', advisor: 'advisor', resident: 'resident', admin: 'administrator' },
  },
};

function t(key) { return WORDS[state.lang][key] ?? WORDS.en[key] ?? key; }
function term(group, value) {
  const g = TERMS[state.lang][group];
  if (!g) return value;
  const v = Array.isArray(g) ? g[value] : g[value];
  return v || value || '';
}
function stageName(s) { return term('stage', s); }
// t() with {name} filled in
function tf(key, vars) { return t(key).replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k]))); }
// a milestone's id, in words when it is one trin knows ("handover")
function milestoneName(n) {
  if (n === 'skema_a' || n === 'skema_b' || n === 'skema_c') return term('budgetKind', n);
  return TERMS[state.lang].stage[n] || n;
}
function levelName(n) { return n ? `${n} · ${term('level', n)}` : '—'; }

// ---------------------------------------------------------------- formats

function locale() { return state.lang === 'da' ? 'da-DK' : 'en-GB'; }

// øre (a decimal string, as the API writes 64-bit integers) -> "1.234.567,89 kr." / "DKK 1,234,567.89"
function money(ore) {
  if (ore === null || ore === undefined || ore === '') return '—';
  const n = Number(ore) / 100;
  const opts = { style: 'currency', currency: 'DKK', minimumFractionDigits: 2, maximumFractionDigits: 2 };
  if (state.lang === 'en') opts.currencyDisplay = 'code';
  return new Intl.NumberFormat(locale(), opts).format(n);
}

// "2026-12-07" -> "7. december 2026" / "7 December 2026"
function date(iso) {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

function number(n, digits = 0) {
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
}
function percentBp(bp) { return `${number(bp / 100, 1)} %`; }

// "25.000,50" (da) or "25,000.50" (en) or "25000" -> "2500050" øre, or null
function parseKroner(text) {
  let s = String(text).replace(/\s|\u00a0/g, '').replace(/kr\.?$/i, '').replace(/^dkk/i, '');
  if (s === '') return '0';
  if (state.lang === 'da') s = s.replace(/\./g, '').replace(',', '.');
  else s = s.replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const ore = BigInt(m[1]) * 100n + BigInt((m[2] || '0').padEnd(2, '0'));
  return ore.toString();
}

function today() { return new Date().toISOString().slice(0, 10); }

// ---------------------------------------------------------------- DOM

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}
const SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...kids) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const kid of kids.flat(Infinity)) if (kid) e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  return e;
}

// red/amber/green: colour, a symbol and the word — never colour alone
function rag(value) {
  const sym = { green: '●', amber: '▲', red: '■' }[value] || '–';
  const word = WORDS[state.lang].rag[value || ''] || value;
  return el('span', { class: `rag rag-${value || 'none'}` }, `${sym} ${word}`);
}

function link(path, params, ...kids) { return el('a', { href: href(path, params) }, ...kids); }
function href(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
  if (state.langChosen) q.set('lang', state.lang);
  const qs = q.toString();
  return `#${path}${qs ? `?${qs}` : ''}`;
}

function table(caption, heads, rows, numeric = []) {
  return el('div', { class: 'tablewrap' },
    el('table', {},
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, heads.map((h, i) => el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, h)))),
      el('tbody', {}, rows.map((r) => el('tr', r.attrs || {}, (r.cells || r).map((c, i) =>
        i === 0 ? el('th', { scope: 'row' }, c) : el('td', { class: numeric.includes(i) ? 'num' : null }, c)))))));
}

function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(Boolean).map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

// The page's content: kids flattened, null and false left out.
function setMain(main, ...kids) {
  if (typeof liveHold === 'function' && liveHold()) return;
  main.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
}

function announce(text) {
  const s = document.getElementById('status');
  s.textContent = '';
  if (text) setTimeout(() => { s.textContent = text; }, 30);
}

// ---------------------------------------------------------------- the API

function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

class SignedOut extends Error {}

// One request to the gateway. Returns {status, ok, data, etag}; a 401 while
// signed in means the token was revoked or expired: back to the sign-in.
async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = newKey();
  }
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  const epoch = state.epoch;
  let r;
  try {
    r = await fetch(`${API}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                       cache: 'no-store', credentials: 'omit', redirect: 'error' });
  } catch (e) {
    return { status: 0, ok: false, data: { detail: String(e.message || e) }, etag: null };
  }
  let data = null;
  const ct = r.headers.get('Content-Type') || '';
  if (ct.includes('json')) { try { data = await r.json(); } catch { data = null; } }
  // signed out meanwhile: the page that asked must not be shown over the
  // sign-in page (a live update, a slow page, still on its way)
  if (epoch !== state.epoch) throw new SignedOut();
  if (r.status === 401 && state.token && !opts.signingIn) {
    state.epoch++;
    state.token = null;
    state.me = null;
    showSignIn(t('sessionGone'));
    throw new SignedOut();
  }
  return { status: r.status, ok: r.ok, data, etag: r.headers.get('ETag') };
}

// x-trin-roles of every operation, from the OpenAPI document: which forms
// to show. The service still decides; this only hides what would be refused.
async function loadRoles() {
  if (state.roles) return;
  state.roles = {};
  const r = await api('GET', '/openapi.json');
  if (!r.ok || !r.data || !r.data.paths) return;
  for (const [p, ops] of Object.entries(r.data.paths)) {
    const m = /^\/api\/v1\/([a-z]+)\/([A-Z][A-Za-z]+)$/.exec(p);
    if (!m || !ops.post) continue;
    // "writer calculator advisor" (space separated; "unknown" until the
    // service has described itself: then no form is offered)
    let roles = ops.post['x-trin-roles'];
    if (typeof roles === 'string') roles = roles.split(/\s+/).filter((x) => x && x !== 'unknown');
    if (Array.isArray(roles))
      state.roles[`${m[1]}/${m[2]}`] = { roles, scope: ops.post['x-trin-scope'] || 'unknown' };
  }
}

// May the person make this request (of a resource whose client is
// clientOrg)? The role must be allowed; a read-only token writes nothing;
// a request only the client's own people may make (scope "own") is not
// offered to its partners. The service still decides.
function may(op, clientOrg) {
  if (!state.me) return false;
  if (state.me.scope === 'api:read') return false;
  if (state.me.role === 'admin') return true;
  const rule = state.roles && state.roles[op];
  if (!rule || !rule.roles.includes(state.me.role)) return false;
  return rule.scope !== 'own' || !clientOrg || clientOrg === state.me.organisation;
}

async function loadOrgs() {
  if (state.orgs) return;
  state.orgs = {};
  const r = await api('GET', '/organisations');
  if (r.ok && r.data) for (const o of r.data.organisations || []) state.orgs[o.id] = o.name || o.id;
}
function orgName(id) { return (state.orgs && state.orgs[id]) || id || '—'; }
// "beta/Bo Berg" -> "Bo Berg (Beta Rådgivning)"; "beta" -> "Beta Rådgivning"
function byWhom(by) {
  const at = String(by || '').indexOf('/');
  return at < 0 ? orgName(by) : `${by.slice(at + 1)} (${orgName(by.slice(0, at))})`;
}

// Every status row the person may see (aggregator GetRows, paged by seq).
async function loadRows() {
  const rows = [];
  let since = '0';
  for (let i = 0; i < 100; i++) {
    // the aggregator's largest page: one request for most portfolios
    const r = await api('POST', '/aggregator/GetRows', { since_seq: since, limit: 10000 });
    if (!r.ok || !r.data) return rows.length ? rows : null;
    const got = r.data.rows || [];
    rows.push(...got);
    if (got.length < 10000) break;
    since = got[got.length - 1].seq;
  }
  return rows;
}

// ---------------------------------------------------------------- routing

function route() {
  const h = location.hash.replace(/^#/, '') || '/';
  const [p, q] = h.split('?');
  return { parts: p.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q || '') };
}

function chooseLanguage() {
  const want = route().params.get('lang');
  if (want === 'da' || want === 'en') {
    state.lang = want;
    state.langChosen = true;
    return;
  }
  if (state.langChosen) return;
  state.lang = 'en';
  for (const l of navigator.languages || [navigator.language || '']) {
    const base = String(l).toLowerCase().slice(0, 2);
    if (base === 'da' || base === 'nb' || base === 'no') { state.lang = 'da'; break; }
    if (base === 'en') break;
  }
}

function switchLanguage() {
  state.lang = state.lang === 'da' ? 'en' : 'da';
  state.langChosen = true;
  const { parts, params } = route();
  params.set('lang', state.lang);
  history.replaceState(null, '', `#/${parts.map(encodeURIComponent).join('/')}?${params}`);
  render();
}

function chrome(current) {
  document.documentElement.lang = state.lang;
  document.getElementById('skip').textContent = t('skip');
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('mainNav'));
  nav.replaceChildren();
  const who = document.getElementById('who');
  who.replaceChildren();
  const langBtn = el('button', { type: 'button', lang: state.lang === 'da' ? 'en' : 'da', title: t('langName'),
                                 onclick: switchLanguage, id: 'lang' }, t('lang'));
  if (state.me) {
    nav.append(el('ul', {}, el('li', {}, el('a', { href: href('/'), 'aria-current': current === 'portfolio' ? 'page' : null }, t('portfolio'))),
      EXT.nav.map((n) => el('li', {}, el('a', { href: href(n.path), 'aria-current': current === n.current ? 'page' : null }, t(n.key))))));
    const role = term('role', state.me.role);
    who.append(el('span', { id: 'whoami' }, `${t('signedInAs')} ${state.me.person || '—'} (${role}, ${orgName(state.me.organisation)})`),
      langBtn, el('button', { type: 'button', id: 'signout', onclick: signOut }, t('signOut')));
  } else {
    who.append(langBtn);
  }
}

async function render() {
  chooseLanguage();
  if (!state.token) { showSignIn(); shown(); return; }
  announce('');
  const { parts, params } = route();
  const main = document.getElementById('main');
  try {
    if (parts.length === 0 || (parts.length === 1 && parts[0] === 'portfolio')) await pagePortfolio(main, params);
    else if (parts.length === 2 && parts[0] === 'projects') await pageProject(main, parts[1]);
    else if (parts.length === 2 && parts[0] === 'partnerships') await pagePartnership(main, parts[1]);
    else if (EXT.pages.some((x) => x.match(parts))) await EXT.pages.find((x) => x.match(parts)).show(main, parts, params);
    else {
      chrome('');
      setMain(main, el('h1', {}, t('notFoundTitle')), el('p', {}, link('/', {}, t('back'))));
      document.title = `${t('notFoundTitle')} — trin`;
    }
  } catch (e) {
    if (!(e instanceof SignedOut)) setMain(main, el('h1', {}, 'trin'), el('p', { class: 'banner', role: 'alert' }, String(e.message || e)));
  }
  shown();
}

function focusMain() {
  const h1 = document.querySelector('main h1');
  if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: false }); }
}

// ---------------------------------------------------------------- sign-in

function showSignIn(message) {
  chrome('signin');
  const main = document.getElementById('main');
  document.title = `${t('signIn')} — trin`;
  const err = el('p', { class: 'error', id: 'token-error', hidden: !message || message === t('signedOut') });
  const input = el('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
                              required: true, 'aria-describedby': 'token-hint token-error' });
  const form = el('form', { class: 'signin', id: 'signin', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'token' }, t('tokenLabel')),
      el('span', { class: 'hint', id: 'token-hint' }, t('tokenHint')), input, err),
    el('button', { type: 'submit' }, t('signIn')));
  if (message && message !== t('signedOut')) err.textContent = message;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) { err.textContent = t('tokenMissing'); err.hidden = false; input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
    const why = await completeSignIn(token);
    if (why === null) return;
    if (why) {
      err.textContent = why;
      err.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    await render();
    focusMain();
  });
  // the identity providers the gateway lets the app sign in at, if any
  const orgs = el('section', { id: 'signin-org', 'aria-labelledby': 'h-signin-org', hidden: true },
    el('h2', { id: 'h-signin-org' }, t('withAccount')), el('ul', { class: 'signin-issuers' }));
  setMain(main, el('h1', {}, t('signInTitle')), orgs,
    el('section', { 'aria-labelledby': 'h-signin-token' }, el('h2', { id: 'h-signin-token' }, t('withToken')), form));
  if (message === t('signedOut')) announce(message);
  fetch(`${API}/signin`, { cache: 'no-store' }).then((r) => (r.ok ? r.json() : null)).then((d) => {
    const list = (d && d.issuers) || [];
    if (!list.length || !orgs.isConnected) return;
    orgs.querySelector('ul').replaceChildren(...list.map((iss, i) => el('li', {},
      el('button', { type: 'button', id: `signin-issuer-${i}`, onclick: () => signInWithOpenId(iss, err) },
        `${t('signInWith')} ${iss.name}`))));
    orgs.hidden = false;
  }).catch(() => {});
}

// Uses token: asks who it speaks for and what the roles may do. '' when
// signed in, else why not (in words).
// Attempts overlap when someone presses Enter again before the first
// answer came: only the newest may sign in or out (an older one refused
// late must not sign out the token that was accepted meanwhile).
let signInAttempt = 0;

// '' = signed in; a sentence = refused; null = a newer attempt took over.
async function completeSignIn(token) {
  const attempt = ++signInAttempt;
  state.token = token;
  const r = await api('GET', '/me', undefined, { signingIn: true });
  if (attempt !== signInAttempt) return null;
  if (!r.ok || !r.data) {
    state.token = null;
    return (r.data && (r.data.detail || r.data.title)) || `HTTP ${r.status}`;
  }
  state.me = r.data;
  state.roles = null;
  state.orgs = null;
  await loadRoles();
  await loadOrgs();
  return attempt === signInAttempt ? '' : null;
}

// ---------------------------------------------------------------- OpenID Connect

function base64url(bytes) {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
function randomText(n) { return base64url(crypto.getRandomValues(new Uint8Array(n))); }

// To the identity provider: the authorization code flow with PKCE (S256).
// What must survive the round trip (verifier, state, the page asked for)
// waits in sessionStorage, this tab only, until finishOpenId.
async function signInWithOpenId(iss, errBox) {
  try {
    const d = await (await fetch(`${iss.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json();
    const verifier = randomText(32);
    const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    const pending = {
      state: randomText(16), verifier, client_id: iss.client_id, resource: iss.resource,
      token_endpoint: d.token_endpoint, redirect: `${location.origin}${location.pathname}`,
      back: location.hash || '#/',
    };
    sessionStorage.setItem('trin.oidc', JSON.stringify(pending));
    const u = new URL(d.authorization_endpoint);
    const q = { response_type: 'code', client_id: iss.client_id, redirect_uri: pending.redirect, scope: iss.scope,
                state: pending.state, code_challenge: challenge, code_challenge_method: 'S256',
                ui_locales: state.lang };
    if (iss.resource) q.resource = iss.resource;
    for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
    location.assign(u.toString());
  } catch (e) {
    sessionStorage.removeItem('trin.oidc');
    errBox.textContent = `${t('oidcFailed')} ${e.message || e}`;
    errBox.hidden = false;
  }
}

// Back from the identity provider (?code=&state= or ?error=): the code is
// exchanged for the access token at the provider's token endpoint, the
// address cleaned of both and the page asked for restored. null when this
// is no such return, '' when signed in, else why not.
async function finishOpenId() {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return null;
  let pending = null;
  try { pending = JSON.parse(sessionStorage.getItem('trin.oidc') || 'null'); } catch { pending = null; }
  sessionStorage.removeItem('trin.oidc');
  history.replaceState(null, '', `${location.pathname}${(pending && pending.back) || '#/'}`);
  chooseLanguage();
  if (q.has('error')) return q.get('error_description') || q.get('error');
  if (!pending || q.get('state') !== pending.state) return t('oidcState');
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code'), redirect_uri: pending.redirect,
                                     client_id: pending.client_id, code_verifier: pending.verifier });
  if (pending.resource) body.set('resource', pending.resource);
  try {
    const r = await fetch(pending.token_endpoint, { method: 'POST', body, cache: 'no-store' });
    const d = await r.json().catch(() => null);
    if (!r.ok || !d || !d.access_token) return (d && (d.error_description || d.error)) || `HTTP ${r.status}`;
    return await completeSignIn(d.access_token);
  } catch (e) {
    return String(e.message || e);
  }
}

function signOut() {
  state.epoch++;
  state.token = null;
  state.me = null;
  state.roles = null;
  state.orgs = null;
  state.project = null;
  state.etag = null;
  showSignIn(t('signedOut'));
  shown();
  document.getElementById('token').focus();
}

// ---------------------------------------------------------------- portfolio

async function pagePortfolio(main, params) {
  chrome('portfolio');
  document.title = `${t('portfolio')} — trin`;
  // the rows and the partnerships (for their frame and term) at once
  const [loaded, plist] = await Promise.all([loadRows(), api('GET', '/partnerships')]);
  let rows = loaded;
  let fallback = false;
  if (rows === null) {
    const r = await api('GET', '/projects');
    if (!r.ok) {
      setMain(main, el('h1', {}, t('portfolio')), el('p', { class: 'banner' }, r.status === 403 ? t('noAccess') : (r.data && r.data.detail) || `HTTP ${r.status}`));
      return;
    }
    fallback = true;
    rows = (r.data.projects || []).map((p) => ({ project_id: p.id, project_name: p.name, partnership_id: p.partnership_id,
      partnership_name: p.partnership_id, stage: p.stage, stage_since: p.stage_since, paused: p.paused, open_disputes: p.open_disputes,
      max_dispute_level: p.max_dispute_level, open_defects: p.open_defects, rag_overall: '', rag_time: '', rag_economy: '', rag_satisfaction: '' }));
  }
  const fPart = params.get('partnership') || '';
  const fStage = params.get('stage') || '';
  const fRag = params.get('rag') || '';
  const partnerships = new Map();
  for (const r of rows) partnerships.set(r.partnership_id || '', r.partnership_name || r.partnership_id || t('outside'));
  const shown = rows.filter((r) => (!fPart || (r.partnership_id || '-') === fPart) && (!fStage || r.stage === fStage) &&
                                   (!fRag || (r.rag_overall || 'none') === fRag))
    .sort((a, b) => a.project_id.localeCompare(b.project_id));

  const sel = (id, label, options, value) => el('div', { class: 'field' }, el('label', { for: id }, label),
    el('select', { id, name: id }, options.map(([v, txt]) => el('option', { value: v, selected: v === value }, txt))));
  const form = el('form', { class: 'filters', id: 'filters', 'aria-label': t('filters') },
    sel('f-partnership', t('partnership'), [['', t('allPartnerships')], ...[...partnerships].map(([id, name]) => [id || '-', id ? name : t('outside')])], fPart),
    sel('f-stage', t('stage'), [['', t('allStages')], ...STAGES.map((s) => [s, stageName(s)])], fStage),
    sel('f-rag', t('status'), [['', t('allStatus')], ...['red', 'amber', 'green', 'none'].map((v) => [v, WORDS[state.lang].rag[v === 'none' ? '' : v]])], fRag),
    el('div', { class: 'row-actions' }, el('button', { type: 'submit' }, t('filter')),
      el('a', { href: href('/'), class: 'clear' }, t('clearFilters'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = href('/', { partnership: form['f-partnership'].value, stage: form['f-stage'].value, rag: form['f-rag'].value }).slice(1);
  });

  // counts: the text that the bars stand beside
  const byStage = STAGES.map((s) => [s, shown.filter((r) => r.stage === s).length]).filter(([, n]) => n > 0);
  const byRag = ['red', 'amber', 'green', ''].map((v) => [v, shown.filter((r) => (r.rag_overall || '') === v).length]).filter(([, n]) => n > 0);
  const max = Math.max(1, ...byStage.map(([, n]) => n), ...byRag.map(([, n]) => n));
  const bar = (n) => { const b = el('span', { class: 'bar', 'aria-hidden': 'true' }); b.style.width = `${(n / max) * 8}rem`; return b; };

  const sections = [];
  const groups = new Map();
  for (const r of shown) {
    const k = r.partnership_id || '';
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  // each partnership's frame and term, for the line above its projects
  const terms = new Map(plist.ok && plist.data ? (plist.data.partnerships || []).map((p) => [p.id, p]) : []);
  for (const [pid, list] of [...groups].sort((a, b) => (a[0] || '~').localeCompare(b[0] || '~'))) {
    const name = pid ? partnerships.get(pid) : t('outside');
    sections.push(el('section', { class: 'portfolio-part', 'aria-labelledby': `p-${pid || 'none'}` },
      el('h2', { id: `p-${pid || 'none'}` }, pid ? link(`/partnerships/${encodeURIComponent(pid)}`, {}, `${name} (${pid})`) : name),
      glance(terms.get(pid), list),
      table(null, [t('project'), t('stage'), t('overall'), t('time'), t('economy'), t('satisfaction'), t('drift'), t('disputesOpen'), t('defectsOpen')],
        list.map((r) => ({ attrs: { id: `row-${r.project_id}` }, cells: [
          link(`/projects/${encodeURIComponent(r.project_id)}`, {}, `${r.project_id} ${r.project_name || ''}`.trim()),
          [stageName(r.stage), r.paused ? ` (${t('paused').toLowerCase()})` : ''],
          rag(r.rag_overall), rag(r.rag_time), rag(r.rag_economy), rag(r.rag_satisfaction),
          r.has_drift_bp ? percentBp(r.drift_bp) : '—',
          r.max_dispute_level ? `${r.open_disputes} (${t('level').toLowerCase()} ${r.max_dispute_level})` : String(r.open_disputes || 0),
          String(r.open_defects || 0)] })), [7, 8])));
  }
  setMain(main, el('h1', {}, t('portfolio')),
    fallback ? el('p', { class: 'note' }, t('noRows')) : null,
    form,
    el('p', { id: 'shown' }, `${shown.length} ${shown.length === 1 ? t('shownOne') : t('shown')}`),
    el('div', { class: 'summary' },
      table(t('byStage'), [t('stage'), t('count')], byStage.map(([s, n]) => [stageName(s), [bar(n), String(n)]])),
      table(t('byRag'), [t('status'), t('count')], byRag.map(([v, n]) => [rag(v), [bar(n), String(n)]]))),
    shown.length ? sections : el('p', {}, t('noProjects')));
}

// A partnership at a glance: how much of its economic frame its projects
// use (each by its forecast, else Skema B, else Skema A: summed in øre,
// the share rounded once), the framework term left, and the mean
// satisfaction of the projects that have one.
function glance(p, rows) {
  const pairs = [];
  if (p) {
    const frame = BigInt(p.economic_frame_ore || '0');
    let used = 0n;
    for (const r of rows) {
      const v = [r.forecast_ore, r.budget_b_ore, r.budget_a_ore].map((x) => BigInt(x || '0')).find((x) => x > 0n);
      if (v) used += v;
    }
    pairs.push([t('frameUsed'), frame > 0n
      ? `${money(String(used))} ${t('ofFrame')} ${money(String(frame))} (${percentBp(Number((used * 10000n + frame / 2n) / frame))})`
      : `${money(String(used))} (${t('frameNone')})`]);
    if (p.framework_end) pairs.push([t('termLeft'), `${date(p.framework_end)} (${termLeft(p.framework_end)})`]);
  }
  const sat = rows.filter((r) => r.has_satisfaction_x100);
  if (sat.length) {
    const sum = sat.reduce((a, r) => a + r.satisfaction_x100, 0);
    pairs.push([t('satisfaction'), `${number(sum / sat.length / 100, 2)} (${t('meanOf')} ${sat.length} ${t(sat.length === 1 ? 'projectWord' : 'projectsWord')})`]);
  }
  return pairs.length ? facts(pairs) : null;
}

// "1 år og 3 mdr. tilbage" / "1 year 3 months left", from today to end.
function termLeft(end) {
  const [y, m, d] = end.split('-').map(Number);
  const now = new Date();
  let months = (y - now.getUTCFullYear()) * 12 + (m - 1 - now.getUTCMonth()) - (d < now.getUTCDate() ? 1 : 0);
  if (months < 0) return t('ended');
  const years = Math.floor(months / 12);
  months %= 12;
  const parts = [];
  if (years) parts.push(`${years} ${years === 1 ? t('yearOne') : t('yearMany')}`);
  if (months || !years) parts.push(`${months} ${t('monthsShort')}`);
  return `${parts.join(state.lang === 'da' ? ' og ' : ' ')} ${t('left')}`;
}

// ---------------------------------------------------------------- project

async function pageProject(main, id, keepMessage) {
  chrome('project');
  const r = await api('GET', `/projects/${encodeURIComponent(id)}`);
  if (r.status === 404 || r.status === 403) {
    document.title = `${t('projectMissing')} — trin`;
    setMain(main, el('h1', {}, t('projectMissing')), el('p', {}, t('projectMissingText')),
      el('p', { class: 'muted' }, (r.data && r.data.detail) || ''), el('p', {}, link('/', {}, t('back'))));
    return;
  }
  if (!r.ok) throw new Error((r.data && r.data.detail) || `HTTP ${r.status}`);
  state.project = r.data.project;
  state.etag = r.etag;
  const p = state.project;
  document.title = `${p.id} ${p.name} — trin`;
  const [rows, budgets, drift, surveys] = await Promise.all([
    loadRows(),
    api('GET', `/projects/${encodeURIComponent(id)}/budgets`),
    api('GET', `/projects/${encodeURIComponent(id)}/drift`),
    loadSurveys(id),
  ]);
  const row = rows && rows.find((x) => x.project_id === p.id);
  // what every section may use: the project, its status row, what was read
  const ctx = { id, p, row, budgets, drift, surveys };
  const sections = await Promise.all(EXT.sections.map((x) => x.build(ctx)));
  setMain(main,
    el('h1', {}, `${p.id} — ${p.name}`),
    el('div', { id: 'stale', hidden: true }),
    ...sections);
  if (keepMessage) announce(keepMessage);
}

addProjectSection('facts', (c) => sectionFacts(c.p, c.row));
addProjectSection('stages', (c) => sectionStages(c.p));
addProjectSection('milestones', (c) => sectionMilestones(c.p));
addProjectSection('disputes', (c) => sectionDisputes(c.p));
addProjectSection('defects', (c) => sectionDefects(c.p));
// economy (economy.js), survey (survey.js), keyfigures (benchmark.js) follow

function sectionFacts(p, row) {
  return el('section', { 'aria-labelledby': 'h-facts' }, el('h2', { id: 'h-facts' }, t('facts')),
    facts([
      [t('partnership'), p.partnership_id ? link(`/partnerships/${encodeURIComponent(p.partnership_id)}`, {}, p.partnership_id) : t('outside')],
      [t('client'), orgName(p.client_org)],
      [t('kind'), term('projectKind', p.kind)],
      [t('stage'), `${stageName(p.stage)}, ${t('since')} ${date(p.stage_since)}`],
      [t('paused'), p.paused ? `${term('pause', p.pause_reason)}, ${t('since')} ${date(p.paused_since)}` : t('notPaused')],
      [t('priceClosing'), p.price_closed ? `${t('priceClosed')} ${date(p.price_closed_on)}` : t('priceOpen')],
      [t('startDate'), date(p.start_date)],
      p.municipality ? [t('municipality'), p.municipality] : null,
      p.department ? [t('department'), p.department] : null,
      p.dwellings ? [t('dwellings'), number(p.dwellings)] : null,
      p.gross_area_m2 ? [t('area'), `${number(p.gross_area_m2)} m²`] : null,
      row ? [t('overall'), [rag(row.rag_overall), ' ', `${t('time')}: `, rag(row.rag_time), ' ', `${t('economy')}: `, rag(row.rag_economy), ' ',
        `${t('satisfaction')}: `, rag(row.rag_satisfaction)]] : null,
    ]),
    may('lifecycle/EditProject', p.client_org) ? formEditProject(p) : null);
}

// A stage's span runs to the next stage's start (or today); pauses are drawn
// over it. The list beneath is the text equivalent of the drawing.
function sectionStages(p) {
  const stages = p.stages || [];
  const pauses = p.pauses || [];
  const kids = [el('h2', { id: 'h-stages' }, t('stages'))];
  const end = today();
  const days = (a, b) => (Date.parse(b) - Date.parse(a)) / 86400000;
  // The bar shows the stages as they stand: a step undone by a correction
  // and the correction itself leave the stage gone back to running on.
  const bar = [];
  for (const s of stages) {
    const back = bar.length && STAGE_RANK[s.stage] < STAGE_RANK[bar[bar.length - 1].stage];
    while (back && bar.length && STAGE_RANK[bar[bar.length - 1].stage] > STAGE_RANK[s.stage]) bar.pop();
    if (back && bar.length && bar[bar.length - 1].stage === s.stage) continue;
    bar.push(s);
  }
  if (bar.length) {
    const start = bar[0].since;
    const total = Math.max(1, days(start, end > bar[bar.length - 1].since ? end : bar[bar.length - 1].since) + 1);
    const W = 720; const x = (d) => 10 + (days(start, d) / total) * (W - 20);
    const g = svg('svg', { class: 'chart', viewBox: `0 0 ${W} 64`, width: W, height: 64, 'aria-hidden': 'true', focusable: 'false' });
    const tones = ['#dbe7f3', '#b7cfe7', '#93b7db', '#6f9fcf', '#4b87c3', '#2f6ca8', '#1f5a91', '#144677', '#0b2e4f'];
    bar.forEach((s, i) => {
      const to = i + 1 < bar.length ? bar[i + 1].since : end;
      const x0 = x(s.since); const w = Math.max(2, x(to) - x0);
      g.append(svg('rect', { x: x0, y: 8, width: w, height: 22, fill: tones[Math.min(i, tones.length - 1)], stroke: '#1a1a1a', 'stroke-width': 0.5 }));
      const fit = Math.floor(w / 7);
      const name = stageName(s.stage);
      if (fit >= 4) g.append(svg('text', { x: x0 + 2, y: 48 }, name.length > fit ? `${name.slice(0, fit - 1)}…` : name));
    });
    for (const pz of pauses) {
      const x0 = x(pz.from); const w = Math.max(3, x(pz.to || end) - x0);
      g.append(svg('rect', { x: x0, y: 30, width: w, height: 6, fill: '#a11212' }));
    }
    kids.push(el('ul', { class: 'legend', 'aria-hidden': 'true' }, el('li', {}, el('span', { class: 'sw sw-pause' }), t('pauses'))), g);
  }
  kids.push(el('h3', {}, t('stageHistory')),
    el('ol', { class: 'timeline', id: 'stages' }, stages.map((s, i) => {
      const current = i === stages.length - 1;
      const attrs = { class: current ? 'current' : null, 'aria-current': current ? 'step' : null };
      // a correction: the stage gone back to, with its own date and the reason
      if (i > 0 && STAGE_RANK[s.stage] < STAGE_RANK[stages[i - 1].stage]) {
        attrs.class = ['corrected', attrs.class].filter(Boolean).join(' ');
        return el('li', attrs, el('strong', {}, `${t('correctedTo')} ${stageName(s.stage)}`), ` — ${t('since')} ${date(s.since)}`,
          s.corrected_by ? ` — ${t('correctedBy')} ${byWhom(s.corrected_by)}` : '', s.note ? ` (${t('correctedNote')}: ${s.note})` : '');
      }
      const undone = i + 1 < stages.length && STAGE_RANK[stages[i + 1].stage] < STAGE_RANK[s.stage];
      return el('li', attrs, `${stageName(s.stage)} — ${t('since')} ${date(s.since)}`, s.note ? ` (${s.note})` : '',
        undone ? el('span', { class: 'muted' }, ` — ${t('undone')}`) : '');
    })),
    el('h3', {}, t('pauses')),
    pauses.length ? el('ul', { id: 'pauses' }, pauses.map((pz) => el('li', {},
      `${term('pause', pz.reason)}: ${date(pz.from)} – ${pz.to ? date(pz.to) : t('ongoing')}`, pz.note ? ` (${pz.note})` : '')))
      : el('p', {}, t('noPauses')));
  if (may('lifecycle/AdvanceStage', p.client_org) && (NEXT[p.stage] || []).length) kids.push(formAdvance(p));
  if (!p.paused && may('lifecycle/PauseProject', p.client_org)) kids.push(formPause(p));
  if (p.paused && may('lifecycle/ResumeProject', p.client_org)) kids.push(formResume(p));
  if (previousStage(p) && may('lifecycle/CorrectStage', p.client_org)) kids.push(formCorrectStage(p));
  return el('section', { 'aria-labelledby': 'h-stages' }, kids);
}

function sectionMilestones(p) {
  const ms = p.milestones || [];
  const kids = [el('h2', { id: 'h-milestones' }, t('milestones'))];
  if (!ms.length) kids.push(el('p', {}, t('noMilestones')));
  else {
    const all = ms.flatMap((m) => [m.baseline, m.forecast, m.actual]).filter(Boolean).concat([p.start_date]).sort();
    const lo = all[0]; const hi = all[all.length - 1];
    const span = Math.max(1, (Date.parse(hi) - Date.parse(lo)) / 86400000);
    const W = 720; const L = 150; const rowH = 42;
    const xs = (d) => L + ((Date.parse(d) - Date.parse(lo)) / 86400000 / span) * (W - L - 10);
    const H = ms.length * rowH + 24;
    const g = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, 'aria-hidden': 'true', focusable: 'false' });
    g.append(svg('line', { x1: L, y1: H - 16, x2: W - 10, y2: H - 16, stroke: '#4d4d4d' }));
    g.append(svg('text', { x: L, y: H - 2 }, date(lo)));
    g.append(svg('text', { x: W - 10, y: H - 2, 'text-anchor': 'end' }, date(hi)));
    ms.forEach((m, i) => {
      const y = 4 + i * rowH;
      g.append(svg('text', { x: 0, y: y + 22 }, milestoneName(m.name).slice(0, 22)));
      [['baseline', '#b8b8b8'], ['forecast', '#5b8fc4'], ['actual', '#0b2e4f']].forEach(([k, c], j) => {
        if (!m[k]) return;
        g.append(svg('rect', { x: L, y: y + j * 12, width: Math.max(2, xs(m[k]) - L), height: 10, fill: c }));
      });
    });
    kids.push(el('ul', { class: 'legend', 'aria-hidden': 'true' },
      ['baseline', 'forecast', 'actual'].map((k) => el('li', {}, el('span', { class: `sw sw-${k}` }), t(k)))), g);
    const variance = (v) => (v > 0 ? `${number(v)} ${t('days')} ${t('late')}` : v < 0 ? `${number(-v)} ${t('days')} ${t('early')}` : t('onTime'));
    kids.push(table(t('milestones'), [t('milestone'), t('baseline'), t('forecast'), t('actual'), t('variance')],
      ms.map((m) => [milestoneName(m.name), date(m.baseline), m.forecast ? date(m.forecast) : '—', m.actual ? date(m.actual) : '—', variance(m.variance_days)]), [4]));
  }
  if (may('lifecycle/SetMilestone', p.client_org)) kids.push(formMilestone(p));
  return el('section', { 'aria-labelledby': 'h-milestones' }, kids);
}

// At the umpire (opmand, level 6) an open dispute has a deadline: taken to
// Voldgiftsnævnet within 8 weeks, counted here from the escalation to the
// umpire, or the umpire's decision binds (AB18 § 68).
function arbitrationDeadline(d) {
  if (d.resolved || d.level !== 6) return null;
  const step = (d.steps || []).filter((x) => x.level === 6).pop();
  if (!step || !step.date) return null;
  const end = new Date(`${step.date}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 56);
  const iso = end.toISOString().slice(0, 10);
  return [t('arbitrationBy'), el('span', { class: 'deadline' }, `${date(iso)} — ${t('arbitrationWhy')}`)];
}

function sectionDisputes(p) {
  const ds = p.disputes || [];
  const kids = [el('h2', { id: 'h-disputes' }, t('disputes'))];
  if (!ds.length) kids.push(el('p', {}, t('noDisputes')));
  for (const d of ds) {
    const card = el('article', { class: 'card', id: `dispute-${d.id}`, 'aria-labelledby': `dh-${d.id}` },
      el('h3', { id: `dh-${d.id}` }, `${t('dispute')} ${d.id}: ${d.title}`),
      facts([
        [t('amount'), el('span', { class: 'amount' }, money(d.amount_ore))],
        [t('level'), levelName(d.level)],
        [t('openedOn'), date(d.opened_on)],
        [t('raisedBy'), orgName(d.raised_by)],
        [t('status'), d.resolved ? `${t('resolved')} ${date(d.resolved_on)}` : t('open')],
        d.resolved ? [t('resolution'), d.resolution] : null,
        d.resolved ? [t('settled'), money(d.settled_ore)] : null,
        arbitrationDeadline(d),
      ]),
      el('p', { class: 'muted' }, t('ladder')),
      el('ol', { class: 'ladder' }, (d.steps || []).map((s) => el('li', {},
        `${levelName(s.level)} — ${date(s.date)}`, s.by_org ? ` — ${t('by')} ${orgName(s.by_org)}` : '', s.note ? ` (${s.note})` : ''))));
    if (!d.resolved && may('lifecycle/EscalateDispute', p.client_org) && d.level < 7) card.append(formEscalate(p, d));
    if (!d.resolved && may('lifecycle/ResolveDispute', p.client_org)) card.append(formResolve(p, d));
    kids.push(card);
  }
  if (may('lifecycle/OpenDispute', p.client_org)) kids.push(formOpenDispute(p));
  return el('section', { 'aria-labelledby': 'h-disputes' }, kids);
}

function sectionDefects(p) {
  const ds = p.defects || [];
  const kids = [el('h2', { id: 'h-defects' }, t('defects'))];
  if (!ds.length) kids.push(el('p', {}, t('noDefects')));
  else {
    kids.push(table(t('defects'), ['Id', t('description'), t('severity'), t('foundAt'), t('reportedOn'), t('dueOn'), t('costBearer'), t('status')],
      ds.map((d) => ({ attrs: { id: `defect-${d.id}` }, cells: [d.id, d.description, term('severity', d.severity), term('foundAt', d.found_at),
        date(d.reported_on), d.due_on ? date(d.due_on) : '—', d.cost_bearer ? orgName(d.cost_bearer) : '—',
        d.open ? t('open') : `${t('fixed')} ${date(d.fixed_on)}`] }))));
    if (may('lifecycle/FixDefect', p.client_org)) for (const d of ds.filter((x) => x.open)) kids.push(formFix(p, d));
  }
  if (may('lifecycle/ReportDefect', p.client_org)) kids.push(formReportDefect(p));
  return el('section', { 'aria-labelledby': 'h-defects' }, kids);
}

// The project's surveys, each with its latest round's results (GetResults
// round 0); a survey without an answered round has no results yet.
async function loadSurveys(projectId) {
  const r = await api('GET', `/surveys?project_id=${encodeURIComponent(projectId)}`);
  if (!r.ok || !r.data) return [];
  return Promise.all((r.data.surveys || []).map(async (sv) => {
    if (!(sv.rounds || []).length) return { survey: sv, results: null };
    const res = await api('GET', `/surveys/${encodeURIComponent(sv.id)}/results?round=0`);
    return { survey: sv, results: res.ok ? res.data : null };
  }));
}

const SURVEY_ROLES = ['all', 'resident_committee', 'residents', 'client', 'advisor', 'contractor'];

// ---------------------------------------------------------------- forms

let formSeq = 0;

// A labelled field; name is the request's field path ("defect.description"),
// so the service's `field` in a refusal finds the input it names.
function field(label, name, type = 'text', opts = {}) {
  const id = `f${++formSeq}`;
  let input;
  if (type === 'select') {
    input = el('select', { id, name, 'data-field': name, required: opts.required },
      opts.options.map(([v, txt]) => el('option', { value: v, selected: v === opts.value }, txt)));
  } else if (type === 'textarea') {
    input = el('textarea', { id, name, 'data-field': name, rows: 2, required: opts.required });
    input.value = opts.value || '';
  } else {
    input = el('input', { id, name, type, 'data-field': name, required: opts.required, autocomplete: 'off',
                          inputmode: opts.inputmode, value: opts.value });
  }
  const hintId = opts.hint ? `${id}-hint` : null;
  const errId = `${id}-error`;
  input.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return el('div', { class: 'field' },
    el('label', { for: id }, label, opts.required || opts.plain ? '' : ` ${t('optional')}`),
    opts.hint ? el('span', { class: 'hint', id: hintId }, opts.hint) : null,
    input,
    el('p', { class: 'error', id: errId, hidden: true }));
}

// A form inside <details>: collect() builds the request body (or throws a
// {field, detail} for a value the app itself cannot read, like an amount).
function actionForm(id, title, fields, send, saved, button) {
  const err = el('p', { class: 'error form-error', role: 'alert', hidden: true });
  const form = el('form', { id, novalidate: true }, err, fields, el('button', { type: 'submit' }, button || title));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const val = (n) => { const x = form.querySelector(`[data-field="${n}"]`); return x ? x.value.trim() : ''; };
    let r;
    try {
      r = await send(val);
    } catch (e) {
      if (e instanceof SignedOut) return;
      if (e && e.field) { showProblem(form, { status: 422, data: e }); return; }
      throw e;
    }
    if (r.ok) {
      await pageProject(document.getElementById('main'), state.project.id, saved || t('saved'));
      const h = document.getElementById(form.closest('section') ? form.closest('section').getAttribute('aria-labelledby') : 'h-facts');
      const again = h && document.getElementById(h.id);
      if (again) { again.setAttribute('tabindex', '-1'); again.focus(); }
      return;
    }
    showProblem(form, r);
  });
  return el('details', { class: 'action' }, el('summary', {}, title), form);
}

function clearErrors(form) {
  for (const e of form.querySelectorAll('.error')) { e.textContent = ''; e.hidden = true; }
  for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
}

// A refusal: beside the field it names, else at the top of the form; a 412
// offers to load the project again.
function showProblem(form, r) {
  const d = r.data || {};
  if (r.status === 412) {
    const box = document.getElementById('stale');
    // who changed what, when the gateway could say (from the audit trail)
    const ch = d.changed;
    const what = ch ? `${t('changedBy')} ${ch.person || orgName(ch.organisation)} (${orgName(ch.organisation)}) ${t('changedAt')} ` +
      `${date(String(ch.time).slice(0, 10))} ${String(ch.time).slice(11, 16)} UTC: ${term('change', ch.type)}.` : null;
    box.replaceChildren(el('div', { class: 'banner', role: 'alert' }, el('p', {}, t('stale')),
      what ? el('p', { id: 'stale-who' }, what) : null,
      el('button', { type: 'button', id: 'reload', onclick: () => pageProject(document.getElementById('main'), state.project.id).then(focusMain) }, t('reload'))));
    box.hidden = false;
    const top = form.querySelector('.form-error');
    top.textContent = t('stale');
    top.hidden = false;
    document.getElementById('reload').focus();
    return;
  }
  const detail = d.detail || d.title || `HTTP ${r.status}`;
  let input = null;
  if (d.field) {
    const inputs = [...form.querySelectorAll('[data-field]')];
    input = inputs.find((i) => i.dataset.field === d.field) ||
            inputs.find((i) => i.dataset.field.endsWith(`.${d.field}`) || d.field.endsWith(`.${i.dataset.field}`));
  }
  if (input) {
    const e = document.getElementById(`${input.id}-error`);
    e.textContent = detail;
    e.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  } else {
    const top = form.querySelector('.form-error');
    top.textContent = `${t('refused')} (${r.status}): ${detail}`;
    top.hidden = false;
    top.setAttribute('tabindex', '-1');
    top.focus();
  }
}

const pid = (p) => encodeURIComponent(p.id);
const opt = (group, values) => values.map((v) => [v, term(group, v)]);
const kroner = (text, fieldName) => {
  const ore = parseKroner(text);
  if (ore === null) throw { field: fieldName, detail: t('amountBad') };
  return ore;
};

function formAdvance(p) {
  const next = (NEXT[p.stage] || []).filter((s) => (s === 'trin1_2') === !!p.fast_track || p.stage !== 'pre_study');
  return actionForm('form-advance', t('advance'), [
    field(t('toStage'), 'to_stage', 'select', { required: true, options: opt('stage', next) }),
    field(t('date'), 'date', 'date', { required: true, value: today() }),
    field(t('note'), 'note', 'text'),
  ], (v) => api('POST', `/projects/${pid(p)}/stage`, { to_stage: v('to_stage'), date: v('date'), note: v('note') }, { ifMatch: state.etag }));
}

function formPause(p) {
  return actionForm('form-pause', t('pause'), [
    field(t('reason'), 'reason', 'select', { required: true, options: opt('pause', Object.keys(TERMS.da.pause)) }),
    field(t('date'), 'date', 'date', { required: true, value: today() }),
    field(t('note'), 'note', 'text'),
  ], (v) => api('POST', `/projects/${pid(p)}/pause`, { reason: v('reason'), date: v('date'), note: v('note') }, { ifMatch: state.etag }));
}

function formResume(p) {
  return actionForm('form-resume', t('resume'), [
    field(t('date'), 'date', 'date', { required: true, value: today() }),
  ], (v) => api('POST', `/projects/${pid(p)}/resume`, { date: v('date') }, { ifMatch: state.etag }));
}

function formMilestone(p) {
  return actionForm('form-milestone', t('setMilestone'), [
    field(t('milestoneName'), 'milestone.name', 'text', { required: true, hint: (p.milestones || []).map((m) => m.name).join(', ') || null }),
    field(t('baseline'), 'milestone.baseline', 'date', { required: true }),
    field(t('forecast'), 'milestone.forecast', 'date'),
    field(t('actual'), 'milestone.actual', 'date'),
  ], (v) => {
    const known = (p.milestones || []).find((m) => m.name === v('milestone.name'));
    return api('POST', `/projects/${pid(p)}/milestones`, { milestone: {
      name: v('milestone.name'), baseline: v('milestone.baseline') || (known ? known.baseline : ''),
      forecast: v('milestone.forecast'), actual: v('milestone.actual') } }, { ifMatch: state.etag });
  });
}

function formOpenDispute(p) {
  return actionForm('form-dispute', t('openDispute'), [
    field(t('disputeId'), 'dispute_id', 'text', { required: true }),
    field(t('title'), 'title', 'text', { required: true }),
    field(t('amountKr'), 'amount_ore', 'text', { required: true, hint: t('amountHint'), inputmode: 'decimal' }),
    field(t('date'), 'date', 'date', { required: true, value: today() }),
    field(t('raisedBy'), 'raised_by', 'text', { required: true, value: state.me.organisation }),
  ], (v) => api('POST', `/projects/${pid(p)}/disputes`, { dispute_id: v('dispute_id'), title: v('title'),
    amount_ore: kroner(v('amount_ore'), 'amount_ore'), date: v('date'), raised_by: v('raised_by') }, { ifMatch: state.etag }));
}

function formEscalate(p, d) {
  const levels = [];
  for (let l = d.level + 1; l <= 7; l++) levels.push([String(l), levelName(l)]);
  return actionForm(`form-escalate-${d.id}`, t('escalate'), [
    field(t('toLevel'), 'to_level', 'select', { required: true, options: levels }),
    field(t('date'), 'date', 'date', { required: true, value: today() }),
    field(t('byOrg'), 'by_org', 'text', { required: true, value: state.me.organisation }),
    field(t('note'), 'note', 'text'),
  ], (v) => api('POST', `/disputes/${encodeURIComponent(d.id)}/escalation`,
    { to_level: Number(v('to_level')), date: v('date'), by_org: v('by_org'), note: v('note') }));
}

function formResolve(p, d) {
  return actionForm(`form-resolve-${d.id}`, t('resolve'), [
    field(t('date'), 'date', 'date', { required: true, value: today() }),
    field(t('resolution'), 'resolution', 'textarea', { required: true }),
    field(t('settledKr'), 'settled_ore', 'text', { hint: t('amountHint'), inputmode: 'decimal' }),
  ], (v) => api('POST', `/disputes/${encodeURIComponent(d.id)}/resolution`,
    { date: v('date'), resolution: v('resolution'), settled_ore: kroner(v('settled_ore'), 'settled_ore') }));
}

function formReportDefect(p) {
  return actionForm('form-defect', t('reportDefect'), [
    field(t('defectId'), 'defect.id', 'text', { required: true }),
    field(t('description'), 'defect.description', 'textarea', { required: true }),
    field(t('severity'), 'defect.severity', 'select', { required: true, options: opt('severity', ['minor', 'major', 'critical']) }),
    field(t('foundAt'), 'defect.found_at', 'select', { required: true, options: opt('foundAt', ['handover', 'inspection_1y', 'inspection_5y', 'other']) }),
    field(t('reportedOn'), 'defect.reported_on', 'date', { required: true, value: today() }),
    field(t('dueOn'), 'defect.due_on', 'date'),
    field(t('costBearer'), 'defect.cost_bearer', 'text'),
  ], (v) => api('POST', `/projects/${pid(p)}/defects`, { defect: {
    id: v('defect.id'), description: v('defect.description'), severity: v('defect.severity'), found_at: v('defect.found_at'),
    reported_on: v('defect.reported_on'), due_on: v('defect.due_on'), cost_bearer: v('defect.cost_bearer') } }, { ifMatch: state.etag }));
}

function formFix(p, d) {
  return actionForm(`form-fix-${d.id}`, `${t('fix')}: ${d.id}`, [
    field(t('fixedOn'), 'fixed_on', 'date', { required: true, value: today() }),
  ], (v) => api('POST', `/defects/${encodeURIComponent(d.id)}/fix`, { fixed_on: v('fixed_on') }));
}

// Corrections (issue 19): only the fields changed are sent (the request's
// `fields`), with the reason; If-Match as every change of the project.
function formEditProject(p) {
  const facts = [['name', t('name'), 'text', p.name], ['municipality', t('municipality'), 'text', p.municipality],
    ['department', t('department'), 'text', p.department], ['dwellings', t('dwellings'), 'number', p.dwellings],
    ['gross_area_m2', t('areaM2'), 'number', p.gross_area_m2]];
  return actionForm('form-edit-project', t('editProject'), [
    ...facts.map(([name, label, type, value]) => field(label, name, type === 'number' ? 'text' : type,
      { value: value === undefined || value === null ? '' : String(value), inputmode: type === 'number' ? 'numeric' : null, plain: true })),
    field(t('why'), 'reason', 'textarea', { required: true, hint: t('whyHint') }),
  ], (v) => {
    const body = { fields: [], reason: v('reason') };
    for (const [name, , type, was] of facts) {
      const now = v(name);
      if (type === 'number') {
        if (!/^\d+$/.test(now)) throw { field: name, detail: t('whole') };
        if (Number(now) === Number(was || 0)) continue;
        body[name] = Number(now);
      } else {
        if (now === (was || '')) continue;
        body[name] = now;
      }
      body.fields.push(name);
    }
    if (!body.fields.length) throw { field: 'fields', detail: t('nothingChanged') };
    return api('POST', `/projects/${pid(p)}/correction`, body, { ifMatch: state.etag });
  }, t('editedSaved'));
}

// Back one step, to the stage before the current one on the project's track;
// from_stage guards against a correction someone made meanwhile.
function formCorrectStage(p) {
  const back = previousStage(p);
  const entry = (p.stages || []).filter((x) => x.stage === back).pop();
  return actionForm('form-correct-stage', t('correctStage'), [
    el('p', { class: 'hint', id: 'correct-stage-what' }, tf('correctStageWhat', { from: stageName(p.stage), to: stageName(back),
      since: entry ? date(entry.since) : '—' })),
    field(t('why'), 'reason', 'textarea', { required: true, hint: t('whyHint') }),
  ], (v) => api('POST', `/projects/${pid(p)}/stage-correction`, { reason: v('reason'), from_stage: p.stage }, { ifMatch: state.etag }),
  tf('stageCorrected', { stage: stageName(back) }), t('correctStageGo'));
}

// ---------------------------------------------------------------- partnership

async function pagePartnership(main, id) {
  chrome('partnership');
  const r = await api('GET', `/partnerships/${encodeURIComponent(id)}`);
  if (r.status === 404 || r.status === 403) {
    document.title = `${t('partnershipMissing')} — trin`;
    setMain(main, el('h1', {}, t('partnershipMissing')), el('p', {}, t('partnershipMissingText')),
      el('p', { class: 'muted' }, (r.data && r.data.detail) || ''), el('p', {}, link('/', {}, t('back'))));
    return;
  }
  if (!r.ok) throw new Error((r.data && r.data.detail) || `HTTP ${r.status}`);
  const p = r.data.partnership;
  document.title = `${p.name} — trin`;
  const pr = await api('GET', `/projects?partnership_id=${encodeURIComponent(id)}`);
  const projects = pr.ok ? (pr.data.projects || []) : [];
  // disputes live on each project: fetch the ones that have had any
  const full = await Promise.all(projects.map(async (x) => {
    if (x.disputes && x.disputes.length) return x;
    const g = await api('GET', `/projects/${encodeURIComponent(x.id)}`);
    return g.ok ? g.data.project : x;
  }));
  const byLevel = [];
  for (let l = 1; l <= 7; l++) {
    const at = full.flatMap((x) => (x.disputes || []).filter((d) => d.level === l));
    byLevel.push([levelName(l), String(at.filter((d) => !d.resolved).length), String(at.filter((d) => d.resolved).length),
      at.length ? at.map((d, i) => [i ? ', ' : '', link(`/projects/${encodeURIComponent(d.project_id)}`, {}, `${d.id} (${d.project_id})`), ` ${money(d.amount_ore)}`]) : '—']);
  }
  const years = (n) => `${number(n)} ${t('years')}`;
  setMain(main, 
    el('h1', {}, `${p.name} (${p.id})`),
    el('section', { 'aria-labelledby': 'h-term' }, el('h2', { id: 'h-term' }, t('term')), facts([
      [t('client'), orgName(p.client_org)],
      [t('frameworkStart'), date(p.framework_start)],
      [t('frameworkYears'), years(p.framework_years || 4)],
      [t('extension'), years(p.extension_years || 0)],
      [t('frameworkEnd'), date(p.framework_end)],
      [t('horizon'), years(p.horizon_years || 0)],
      [t('horizonEnd'), date(p.horizon_end)],
      [t('priceClosing'), term('priceClosing', p.price_closing_point)],
      [t('abtStart'), stageName(p.abt_starts_at || 'trin3')],
      [t('frame'), Number(p.economic_frame_ore) ? money(p.economic_frame_ore) : t('notStated')],
      [t('threshold'), money(p.trivial_threshold_ore)],
    ])),
    el('section', { 'aria-labelledby': 'h-members' }, el('h2', { id: 'h-members' }, t('members')),
      table(null, [t('organisation'), t('role')], (p.members || []).map((m) => [`${orgName(m.org_id)} (${m.org_id})`, term('orgKind', m.role)]))),
    el('section', { 'aria-labelledby': 'h-pprojects' }, el('h2', { id: 'h-pprojects' }, t('projects')),
      projects.length ? table(null, [t('project'), t('stage'), t('disputesOpen'), t('defectsOpen')], projects.map((x) =>
        [link(`/projects/${encodeURIComponent(x.id)}`, {}, `${x.id} ${x.name}`), stageName(x.stage), String(x.open_disputes || 0), String(x.open_defects || 0)]), [2, 3])
        : el('p', {}, t('noProjects'))),
    el('section', { 'aria-labelledby': 'h-levels' }, el('h2', { id: 'h-levels' }, t('disputesByLevel')),
      table(t('ladder'), [t('level'), t('openCount'), t('resolvedCount'), t('disputes')], byLevel, [1, 2])));
}

// ---------------------------------------------------------------- start

window.addEventListener('hashchange', async () => { await render(); focusMain(); });
// The skip link moves the focus without touching the address: the hash is
// the app's route, "#main" would be a page that does not exist.
document.addEventListener('click', (ev) => {
  if (ev.target && ev.target.id === 'skip') {
    ev.preventDefault();
    const h = document.querySelector('main h1') || document.getElementById('main');
    h.setAttribute('tabindex', '-1');
    h.focus();
  }
});
document.addEventListener('DOMContentLoaded', async () => {
  const back = await finishOpenId();
  if (back) { showSignIn(`${t('oidcFailed')} ${back}`); shown(); return; }
  await render();
  if (back === '') focusMain();
});

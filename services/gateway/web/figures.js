// trin — the project's figures from its status row (issue 20), on the
// project page after the facts: the next AB18 deadline and whether an
// inspection is overdue or the arbitration deadline near, earned value
// (SPI, CPI, EAC, VAC), rehousing, sustainability and lessons learned — each
// only when the row has it, in the partnership's words and Danish numbers.
'use strict';

addWords({
  da: {
    figRow: 'Projektets tal', figNextDeadline: 'Næste frist', figOverdue: 'eftersynet er overskredet',
    figNear: 'voldgiftsfristen nærmer sig', figEv: 'Earned value', figEvText: 'SPI {spi} · CPI {cpi} · EAC {eac} · VAC {vac}',
    figRehousing: 'Genhusning', figWithout: 'renoveres uden genhusning',
    figRehoused: '{done} af {plan} husstande genhuset ({perm} permanent), {back} flyttet tilbage',
    figSustain: 'Bæredygtighed', figSustainText: '{n} tiltag · {kg} kg genbrugt, heraf {between} kg fra partnerskabets andre projekter',
    figEnergy: 'målt energibesparelse {e} kWh/m² om året', figCo2: 'CO₂e {c} kg/m² sparet',
    figLessons: 'Erfaringer', figLessonsText: '{n} registreret, {a} overtaget fra andre projekter',
    deadline_inspection_1y: '1-års eftersyn', deadline_inspection_5y: '5-års eftersyn',
    deadline_arbitration: 'voldgift efter opmandens afgørelse (AB18 § 68)', deadline_defect: 'en mangels frist',
  },
  en: {
    figRow: "The project's figures", figNextDeadline: 'Next deadline', figOverdue: 'the inspection is overdue',
    figNear: 'the arbitration deadline is near', figEv: 'Earned value', figEvText: 'SPI {spi} · CPI {cpi} · EAC {eac} · VAC {vac}',
    figRehousing: 'Rehousing (genhusning)', figWithout: 'renovated without rehousing',
    figRehoused: '{done} of {plan} households rehoused ({perm} permanently), {back} moved back',
    figSustain: 'Sustainability', figSustainText: '{n} measures · {kg} kg reused, {between} kg of it from the partnership\'s other projects',
    figEnergy: 'measured energy saving {e} kWh/m² a year', figCo2: 'CO₂e {c} kg/m² saved',
    figLessons: 'Lessons learned', figLessonsText: '{n} recorded, {a} adopted from other projects',
    deadline_inspection_1y: '1-year inspection', deadline_inspection_5y: '5-year inspection',
    deadline_arbitration: "arbitration after the umpire's decision (AB18 § 68)", deadline_defect: "a defect's due date",
  },
});

// proto3 JSON leaves zeros out and writes 64-bit numbers as strings
const fnum = (v) => Number(v || 0);

function sectionFigures(c) {
  const r = c.row;
  if (!r) return null;
  const pairs = [];
  if (r.next_deadline) {
    const notes = [r.inspection_overdue ? t('figOverdue') : null, r.arbitration_deadline_near ? t('figNear') : null].filter(Boolean);
    pairs.push([t('figNextDeadline'), [`${date(r.next_deadline)}: ${t(`deadline_${r.next_deadline_kind}`)}`,
      notes.length ? el('strong', {}, ` — ${notes.join(', ')}`) : '']]);
  }
  if (r.has_spi_x100 || r.has_cpi_x100) {
    const dec = (has, v) => (has ? number(fnum(v) / 100, 2) : '—');
    pairs.push([t('figEv'), tf('figEvText', { spi: dec(r.has_spi_x100, r.spi_x100), cpi: dec(r.has_cpi_x100, r.cpi_x100),
      eac: r.has_eac_ore ? money(r.eac_ore) : '—', vac: r.has_vac_ore ? money(r.vac_ore) : '—' })]);
  }
  if (r.has_without_rehousing) {
    pairs.push([t('figRehousing'), r.without_rehousing ? t('figWithout') : tf('figRehoused', {
      done: number(fnum(r.households_rehoused)), plan: number(fnum(r.households_to_rehouse)),
      perm: number(fnum(r.households_rehoused_permanent)), back: number(fnum(r.households_moved_back)) })]);
  }
  if (r.has_sustainability_measures && fnum(r.sustainability_measures) > 0) {
    const parts = [tf('figSustainText', { n: number(fnum(r.sustainability_measures)), kg: number(fnum(r.reused_kg)),
      between: number(fnum(r.reused_between_projects_kg)) })];
    if (r.has_energy_saving_kwh_m2_x100) parts.push(tf('figEnergy', { e: number(fnum(r.energy_saving_kwh_m2_x100) / 100, 2) }));
    if (r.has_co2e_saving_kg_m2_x100) parts.push(tf('figCo2', { c: number(fnum(r.co2e_saving_kg_m2_x100) / 100, 2) }));
    pairs.push([t('figSustain'), parts.join(' · ')]);
  }
  if (r.has_lessons) {
    pairs.push([t('figLessons'), tf('figLessonsText', { n: number(fnum(r.lessons)), a: number(fnum(r.lessons_adopted)) })]);
  }
  if (!pairs.length) return null;
  return el('section', { 'aria-labelledby': 'h-figures', id: 'figures' }, el('h2', { id: 'h-figures' }, t('figRow')), facts(pairs));
}

addProjectSection('figures', sectionFigures, 'facts');

// trin — lessons learned (issue 20, item 5) on the project page, from the
// lifecycle service through the gateway: what the project learned and which
// later projects of its partnership took each lesson up (with the effect,
// measured where it was), what the project itself adopted from others, and
// the forms to record a lesson or adopt one for the members who may
// (lifecycle/RecordLesson, AdoptLesson: the client's writers, advisors and
// the contractor's calculators — lessons are learned on site too).
'use strict';

addWords({
  da: {
    lessons: 'Erfaringer', lessonsLearned: 'Erfaringer fra projektet', noLessons: 'Projektet har ingen registrerede erfaringer.',
    lessonsAdopted: 'Overtaget fra andre projekter', noLessonsAdopted: 'Projektet har ikke overtaget erfaringer fra andre projekter.',
    lessonId: 'Id', lessonText: 'Erfaring', lessonCategory: 'Emne', learnedOn: 'Dato', adoptedByHead: 'Overtaget af',
    notAdopted: 'endnu ikke overtaget', adoptedOn: 'overtaget', adoptedOnLabel: 'Overtaget den', measured: 'målt',
    recordLesson: 'Registrér en erfaring', adoptLesson: 'Overtag en erfaring fra et andet projekt',
    lessonFrom: 'Projektet erfaringen kommer fra', lessonWhich: 'Erfaringens id i det projekt', effect: 'Effekt (med ord)',
    effectMeasure: 'Målt på', effectValue: 'Målt ændring', effectNone: 'ikke målt', lessonSaved: 'Erfaringen er registreret.',
    adoptionSaved: 'Overtagelsen er registreret.',
  },
  en: {
    lessons: 'Lessons learned', lessonsLearned: 'Lessons learned in the project', noLessons: 'The project has no lessons recorded.',
    lessonsAdopted: 'Adopted from other projects', noLessonsAdopted: 'The project has not adopted lessons of other projects.',
    lessonId: 'Id', lessonText: 'Lesson', lessonCategory: 'Category', learnedOn: 'Date', adoptedByHead: 'Adopted by',
    notAdopted: 'not adopted yet', adoptedOn: 'adopted', adoptedOnLabel: 'Adopted on', measured: 'measured',
    recordLesson: 'Record a lesson', adoptLesson: 'Adopt a lesson of another project',
    lessonFrom: 'The project the lesson comes from', lessonWhich: "The lesson's id in that project", effect: 'Effect (in words)',
    effectMeasure: 'Measured on', effectValue: 'Measured change', effectNone: 'not measured', lessonSaved: 'The lesson is recorded.',
    adoptionSaved: 'The adoption is recorded.',
  },
});

Object.assign(TERMS.da, {
  lessonCategory: { process: 'Proces', collaboration: 'Samarbejde', residents: 'Beboere', rehousing: 'Genhusning', technical: 'Teknik',
    materials: 'Materialer', economy: 'Økonomi', schedule: 'Tid', quality: 'Kvalitet, fejl og mangler', safety: 'Sikkerhed',
    sustainability: 'Bæredygtighed' },
  lessonMeasure: { drift_bp: 'Budgetafvigelse (%-point)', schedule_variance_days: 'Tidsafvigelse (dage)',
    cost_per_dwelling_ore: 'Pris pr. bolig (kr.)', satisfaction_x100: 'Tilfredshed' },
});
Object.assign(TERMS.en, {
  lessonCategory: { process: 'Process', collaboration: 'Collaboration', residents: 'Residents', rehousing: 'Rehousing (genhusning)',
    technical: 'Technical', materials: 'Materials', economy: 'Economy', schedule: 'Schedule', quality: 'Quality, defects',
    safety: 'Safety', sustainability: 'Sustainability' },
  lessonMeasure: { drift_bp: 'Budget drift (points)', schedule_variance_days: 'Schedule variance (days)',
    cost_per_dwelling_ore: 'Cost per dwelling (kr.)', satisfaction_x100: 'Satisfaction' },
});
const LESSON_CATEGORIES = ['process', 'collaboration', 'residents', 'rehousing', 'technical', 'materials', 'economy',
  'schedule', 'quality', 'safety', 'sustainability'];
const LESSON_MEASURES = ['drift_bp', 'schedule_variance_days', 'cost_per_dwelling_ore', 'satisfaction_x100'];

// A measured change in the measure's own unit, as people read it: drift in
// basis points as percentage points, øre as kroner, satisfaction ×100.
function lessonEffectValue(x) {
  const v = Number(x.effect_value || 0);
  const sign = v > 0 ? '+' : '';
  if (x.measure === 'drift_bp') return `${sign}${number(v / 100, 2)} %-point`;
  if (x.measure === 'cost_per_dwelling_ore') return `${sign}${number(v / 100, 2)} kr.`;
  if (x.measure === 'satisfaction_x100') return `${sign}${number(v / 100, 2)}`;
  if (x.measure === 'schedule_variance_days') return `${sign}${number(v)} ${t('days')}`;
  return `${sign}${v}`;
}
function lessonEffect(x) {
  const parts = [];
  if (x.measure) parts.push(`${t('measured')} ${lessonEffectValue(x)} (${term('lessonMeasure', x.measure)})`);
  if (x.effect) parts.push(x.effect);
  return parts.length ? `: ${parts.join(' — ')}` : '';
}

async function sectionLessons(c) {
  const p = c.p;
  const q = (k) => api('GET', `/lessons?${k}=${encodeURIComponent(p.id)}`);
  const [own, taken] = await Promise.all([q('project_id'), q('adopted_by')]);
  const mine = own.ok && own.data ? own.data.lessons || [] : [];
  const adopted = taken.ok && taken.data ? taken.data.lessons || [] : [];
  const kids = [el('h2', { id: 'h-lessons' }, t('lessons'))];
  if (!mine.length) kids.push(el('p', {}, t('noLessons')));
  else {
    kids.push(table(t('lessonsLearned'), [t('lessonId'), t('lessonText'), t('lessonCategory'), t('learnedOn'), t('adoptedByHead')],
      mine.map((l) => ({ attrs: { id: `lesson-${l.id}` }, cells: [l.id, l.text, term('lessonCategory', l.category), date(l.learned_on),
        (l.adoptions || []).length
          ? el('ul', { class: 'adoptions' }, l.adoptions.map((x) => el('li', {},
            link(`/projects/${encodeURIComponent(x.project_id)}`, {}, x.project_id), ` ${t('adoptedOn')} ${date(x.adopted_on)}${lessonEffect(x)}`)))
          : t('notAdopted')] }))));
  }
  kids.push(el('h3', {}, t('lessonsAdopted')));
  if (!adopted.length) kids.push(el('p', {}, t('noLessonsAdopted')));
  else {
    kids.push(el('ul', { id: 'lessons-adopted' }, adopted.map((l) => {
      const x = (l.adoptions || [])[0] || {};
      return el('li', {}, link(`/projects/${encodeURIComponent(l.project_id)}`, {}, `${l.project_id}/${l.id}`),
        ` (${term('lessonCategory', l.category)}): ${l.text} — ${t('adoptedOn')} ${date(x.adopted_on)}${lessonEffect(x)}`);
    })));
  }
  if (may('lifecycle/RecordLesson', p.client_org)) kids.push(formRecordLesson(p));
  if (p.partnership_id && may('lifecycle/AdoptLesson', p.client_org)) kids.push(formAdoptLesson(p));
  return el('section', { 'aria-labelledby': 'h-lessons' }, kids);
}

function formRecordLesson(p) {
  return actionForm('form-lesson', t('recordLesson'), [
    field(t('lessonId'), 'lesson.id', 'text', { required: true }),
    field(t('lessonText'), 'lesson.text', 'textarea', { required: true }),
    field(t('lessonCategory'), 'lesson.category', 'select', { required: true, options: opt('lessonCategory', LESSON_CATEGORIES) }),
    field(t('learnedOn'), 'lesson.learned_on', 'date', { required: true, value: today() }),
  ], (v) => api('POST', `/projects/${pid(p)}/lessons`, { lesson: {
    id: v('lesson.id'), text: v('lesson.text'), category: v('lesson.category'), learned_on: v('lesson.learned_on') } }), t('lessonSaved'));
}

function formAdoptLesson(p) {
  return actionForm('form-adopt-lesson', t('adoptLesson'), [
    field(t('lessonFrom'), 'lesson_project_id', 'text', { required: true }),
    field(t('lessonWhich'), 'lesson_id', 'text', { required: true }),
    field(t('adoptedOnLabel'), 'adoption.adopted_on', 'date', { required: true, value: today() }),
    field(t('effect'), 'adoption.effect', 'textarea'),
    field(t('effectMeasure'), 'adoption.measure', 'select', { options: [['', t('effectNone')], ...opt('lessonMeasure', LESSON_MEASURES)] }),
    field(t('effectValue'), 'adoption.effect_value', 'text', { inputmode: 'numeric' }),
  ], (v) => api('POST', `/projects/${pid(p)}/lesson-adoptions`, {
    lesson_project_id: v('lesson_project_id'), lesson_id: v('lesson_id'),
    adoption: { adopted_on: v('adoption.adopted_on'), effect: v('adoption.effect'), measure: v('adoption.measure'),
      effect_value: v('adoption.effect_value') || '0' } }), t('adoptionSaved'));
}

addProjectSection('lessons', sectionLessons, 'defects');

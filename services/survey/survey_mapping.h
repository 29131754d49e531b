/* survey_mapping — reading a survey tool's export as it comes (issue 20,
 * item 7). TeamVaerk, SurveyXact, Microsoft Forms and Google Forms write
 * the question's text as a column header and the answer as a word ("Meget
 * enig", "Ved ikke"); a mapping saved per survey (trin.survey.ImportMapping)
 * says which column answers which statement, which column names the
 * respondent and which the role, and what each answer word scores. Plain
 * functions on the message and the survey: the import applies them
 * (survey_import), the handlers check and store them.
 *
 * Matching: headers and answer words are compared after
 * survey_mapping_normalise — case (ASCII and Æ Ø Å É) and runs of white
 * space (space, tab, line breaks, no-break space) do not count, so "Meget
 * enig", " meget  ENIG " and a header wrapped over two lines match. */
#ifndef TRIN_SURVEY_MAPPING_H
#define TRIN_SURVEY_MAPPING_H

#include <stdbool.h>
#include <stddef.h>

#include "survey_rules.h"
#include "trin/survey.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"

#define SURVEY_MAPPING_HEADER_MAX 500 /* bytes of a header (a question's text) */
#define SURVEY_MAPPING_WORD_MAX 100   /* bytes of an answer word */
#define SURVEY_MAPPING_MAX_ANSWERS 40
/* Room for a normalised header or word (normalising never lengthens). */
#define SURVEY_MAPPING_NORM_BUF (SURVEY_MAPPING_HEADER_MAX + 1)

/* Writes the normalised form of in to out (n bytes, always terminated):
 * lower case, surrounding white space dropped, every run of white space
 * inside one ' '. Returns false when it did not fit (out is cut). */
bool survey_mapping_normalise(const char *in, char *out, size_t n);

/* The shipped Danish five-point agreement scale, for surveys on 1–5:
 * Meget enig 5, Enig 4, Hverken enig eller uenig 3, Uenig 2, Meget uenig 1,
 * Ved ikke = not answered. *out points into a static table. */
size_t survey_mapping_default_answers(const Trin__Survey__AnswerWord *const **out);

/* Checks a mapping against its survey: required columns, one of role_column
 * and role, every statement key a statement of the survey and at most once,
 * no header twice, answer words unique and scored on the survey's scale (or
 * no_answer with score 0); no answer words only on a 1–5 survey (the
 * default scale). EINVALID names the field: "mapping.columns[2].statement_key". */
int survey_mapping_check(const Trin__Survey__ImportMapping *m, const Trin__Survey__Survey *sv,
                         trin_err_t *err);

/* The score of a cell: the mapping's answer words (or the default scale
 * when it has none), then a whole number on the scale as the CSV import
 * takes it. Returns true with *score (SURVEY_NO_ANSWER for a word meaning
 * "not answered"); false when the cell is neither. */
bool survey_mapping_score(const Trin__Survey__ImportMapping *m, survey_scale_t sc,
                          const char *cell, int *score);

/* The answer words a refusal lists ("Meget enig, Enig, ..."), into buf
 * (n bytes, cut with "..." when longer). */
void survey_mapping_words(const Trin__Survey__ImportMapping *m, char *buf, size_t n);

/* A copy of m whose answers are the default scale written out when it has
 * none (*defaulted set), in arena a (NULL when out of memory). For replies. */
Trin__Survey__ImportMapping *survey_mapping_effective(const Trin__Survey__ImportMapping *m,
                                                     trin_arena_t *a, bool *defaulted);

#endif

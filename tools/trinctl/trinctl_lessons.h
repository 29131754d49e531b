/* trinctl_lessons — `trinctl lesson record|adopt|list` (issue 20, item 5):
 * the lessons learned across a partnership's projects, and the
 * "Erfaringer" lines `project show` prints. The commands' lines live in the
 * lifecycle's table (trinctl_lifecycle.c); their parts live here. */
#ifndef TRINCTL_LESSONS_H
#define TRINCTL_LESSONS_H

#include <stdio.h>

#include "trin/lifecycle.pb-c.h"
#include "trinctl.h"

extern const trinctl_opt_t trinctl_lesson_record_opts[];
extern const trinctl_opt_t trinctl_lesson_adopt_opts[];
extern const trinctl_opt_t trinctl_lesson_list_opts[];
int trinctl_lesson_run_record(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_lesson_run_adopt(trinctl_ctx_t *ctx, const trinctl_args_t *a);
int trinctl_lesson_run_list(trinctl_ctx_t *ctx, const trinctl_args_t *a);

/* The project's lesson counts, in Danish. */
void trinctl_lessons_print(FILE *f, const Trin__Lifecycle__Project *p);

#endif

/* trinctl_sustain — `trinctl project sustainability` (issue 20, item 3):
 * records a project's sustainability measure, and the "Sustainability"
 * section `project show` ends with. The command's line lives in the
 * lifecycle's table (trinctl_lifecycle.c); its parts live here. */
#ifndef TRINCTL_SUSTAIN_H
#define TRINCTL_SUSTAIN_H

#include <stdio.h>

#include "trin/lifecycle.pb-c.h"
#include "trinctl.h"

extern const trinctl_opt_t trinctl_sustain_record_opts[];
int trinctl_sustain_run_record(trinctl_ctx_t *ctx, const trinctl_args_t *a);

/* The project's totals and measures, the Danish way ("18.500 kg",
 * "42,60 kWh/m²"); nothing when the reply carries no totals. */
void trinctl_sustain_print(FILE *f, const Trin__Lifecycle__Project *p);

#endif

/* trinctl_sustain — see trinctl_sustain.h. */
#include "trinctl_sustain.h"

#include <inttypes.h>
#include <string.h>

#include "trin_codec.h"
#include "trin_number.h"
#include "trinctl_lifecycle.h"
#include "trinctl_print.h"

static const char *const KIND_WORDS[] = {"reuse", "take_back", "energy_renovation", "other",
                                         NULL};

const trinctl_opt_t trinctl_sustain_record_opts[] = {
    OPT_TEXT("id", true, "measure.id", "ID", "the measure's id (again to replace it)"),
    OPT_CHOICE("kind", true, "measure.kind", "KIND", KIND_WORDS,
               "what kind (take_back: a takeback-ordning)"),
    OPT_TEXT("description", true, "measure.description", "T", "what was done"),
    OPT_DATE("date", true, "measure.recorded_on", "when it was recorded"),
    OPT_TEXT("material", false, "measure.material", "T",
             "reuse: the material (tagsten, mursten, ...)"),
    OPT_INT("kg", false, "measure.reused_kg", 0, INT64_MAX, "reuse: kg of material reused"),
    OPT_INT("m2", false, "measure.reused_m2", 0, INT32_MAX, "reuse: m² of material reused"),
    OPT_TEXT("from-project", false, "measure.source_project_id", "PROJECT",
             "reuse: the project of the same partnership the material came from"),
    OPT_TEXT("source", false, "measure.source", "T",
             "reuse: where from, outside the partnership"),
    OPT_TEXT("energy-before", false, "measure.energy_before_kwh_m2_x100", "KWH",
             "consumption before, kWh/m² a year (e.g. 145,00)"),
    OPT_TEXT("energy-expected", false, "measure.energy_expected_after_kwh_m2_x100", "KWH",
             "consumption expected after, kWh/m² a year"),
    OPT_TEXT("energy-measured", false, "measure.energy_measured_after_kwh_m2_x100", "KWH",
             "consumption measured after, kWh/m² a year"),
    OPT_TEXT("co2e", false, "measure.co2e_saving_kg_m2_x100", "KG",
             "CO₂e saved, kg/m² (e.g. 12,35); needs --co2e-method"),
    OPT_TEXT("co2e-method", false, "measure.co2e_method", "T",
             "the method or source of the CO₂e figure (e.g. LCAbyg)"),
    OPT_END};

/* A figure typed with up to two decimals ("145", "145,5", "102,40") in
 * hundredths; a usage error naming the option otherwise. */
static int hundredths(trinctl_ctx_t *ctx, const trinctl_args_t *a, const char *opt,
                      const char *field, int32_t *out) {
  *out = 0;
  if (!trinctl_args_has(a, opt)) return TRINCTL_EXIT_OK;
  int64_t v = 0;
  trin_err_t e;
  trin_err_clear(&e);
  if (trin_number_parse(trinctl_args_str(a, opt), 2, &v, field, &e) == TRIN_OK &&
      (v < INT32_MIN || v > INT32_MAX))
    trin_err_set(&e, TRIN_EINVALID, field, "'%s' is too large",
                 trinctl_args_str(a, opt));
  if (e.code) {
    trin_err_set(&ctx->err, TRIN_EINVALID, field, "--%s: %s", opt, e.message);
    return TRINCTL_EXIT_USAGE;
  }
  *out = (int32_t)v;
  return TRINCTL_EXIT_OK;
}

/* "24.500 kg and 1.250 m²" */
static const char *quantity(int64_t kg, int64_t m2, char *buf, size_t size) {
  char k[TRINCTL_NUM_BUF], m[TRINCTL_NUM_BUF];
  if (kg && m2)
    snprintf(buf, size, "%s kg og %s m²", trinctl_num(kg, 0, k), trinctl_num(m2, 0, m));
  else if (m2)
    snprintf(buf, size, "%s m²", trinctl_num(m2, 0, m));
  else
    snprintf(buf, size, "%s kg", trinctl_num(kg, 0, k));
  return buf;
}

/* The totals in one line per figure, as `project show` and a recording
 * print them. */
static void print_totals(FILE *f, const Trin__Lifecycle__SustainabilityTotals *t,
                         const char *indent) {
  char q[128], n1[TRINCTL_NUM_BUF], n2[TRINCTL_NUM_BUF];
  fprintf(f, "%stiltag              %d (%d genbrug)\n", indent, t->measures, t->reuse_measures);
  fprintf(f, "%sgenbrugt            %s", indent,
          quantity(t->reused_kg, t->reused_m2, q, sizeof q));
  fprintf(f, ", heraf mellem partnerskabets projekter %s\n",
          quantity(t->reused_between_projects_kg, t->reused_between_projects_m2, q, sizeof q));
  if (t->has_energy_expected)
    fprintf(f, "%senergibesparelse    forventet %s kWh/m² om året\n", indent,
            trinctl_num(t->energy_saving_expected_kwh_m2_x100, 2, n1));
  if (t->has_energy_measured) {
    fprintf(f, "%senergibesparelse    målt %s kWh/m² om året", indent,
            trinctl_num(t->energy_saving_measured_kwh_m2_x100, 2, n1));
    if (t->has_energy_saved)
      fprintf(f, " = %s kWh om året", trinctl_num(t->energy_saved_kwh, 0, n2));
    else
      fprintf(f, " (intet bruttoareal: kWh om året ukendt)");
    fputc('\n', f);
  }
  if (t->has_co2e)
    fprintf(f, "%sCO₂e-besparelse     %s kg/m²\n", indent,
            trinctl_num(t->co2e_saving_kg_m2_x100, 2, n1));
}

int trinctl_sustain_run_record(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__SustainabilityMeasure m = TRIN__LIFECYCLE__SUSTAINABILITY_MEASURE__INIT;
  m.id = (char *)trinctl_args_str(a, "id");
  m.kind = (char *)trinctl_args_str(a, "kind");
  m.description = (char *)trinctl_args_str(a, "description");
  m.recorded_on = (char *)trinctl_args_str(a, "date");
  m.material = (char *)trinctl_args_str(a, "material");
  m.reused_kg = trinctl_args_num(a, "kg");
  m.reused_m2 = (int32_t)trinctl_args_num(a, "m2");
  m.source_project_id = (char *)trinctl_args_str(a, "from-project");
  m.source = (char *)trinctl_args_str(a, "source");
  m.co2e_method = (char *)trinctl_args_str(a, "co2e-method");
  int rc = hundredths(ctx, a, "energy-before", "measure.energy_before_kwh_m2_x100",
                      &m.energy_before_kwh_m2_x100);
  if (!rc)
    rc = hundredths(ctx, a, "energy-expected", "measure.energy_expected_after_kwh_m2_x100",
                    &m.energy_expected_after_kwh_m2_x100);
  if (!rc)
    rc = hundredths(ctx, a, "energy-measured", "measure.energy_measured_after_kwh_m2_x100",
                    &m.energy_measured_after_kwh_m2_x100);
  if (!rc)
    rc = hundredths(ctx, a, "co2e", "measure.co2e_saving_kg_m2_x100", &m.co2e_saving_kg_m2_x100);
  if (rc) return rc;
  Trin__Lifecycle__RecordSustainability req = TRIN__LIFECYCLE__RECORD_SUSTAINABILITY__INIT;
  req.project_id = (char *)a->arg;
  req.measure = &m;
  Trin__Lifecycle__SustainabilityReply *r = NULL;
  rc = trinctl_call(ctx, &req.base, &trin__lifecycle__sustainability_reply__descriptor,
                    (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, trinctl_lifecycle_resolve};
    trinctl_json_message(&j, &r->base);
    fputc('\n', ctx->out);
  } else if (!r->project || !r->measure) {
    trin_err_set(&ctx->err, TRIN_EDECODE, "project", "the reply carries no project");
    rc = TRINCTL_EXIT_REFUSED;
  } else {
    const Trin__Lifecycle__SustainabilityMeasure *x = r->measure;
    char q[128];
    fprintf(ctx->out, "%s: bæredygtighedstiltag %s (%s) registreret", r->project->id, x->id,
            x->kind);
    if (x->reused_kg || x->reused_m2)
      fprintf(ctx->out, ": %s %s genbrugt%s%s", quantity(x->reused_kg, x->reused_m2, q, sizeof q),
              x->material, *x->source_project_id ? " fra projekt " : "",
              x->source_project_id);
    if (r->seq) fprintf(ctx->out, " (event %" PRIu64 ")", r->seq);
    fputc('\n', ctx->out);
    if (r->project->sustainability) print_totals(ctx->out, r->project->sustainability, "  ");
  }
  trin_codec_free(r);
  return rc;
}

void trinctl_sustain_print(FILE *f, const Trin__Lifecycle__Project *p) {
  if (!p->sustainability) return;
  fprintf(f, "\nBæredygtighed\n");
  print_totals(f, p->sustainability, "  ");
  if (!p->n_sustainability_measures) return;
  static const char *const h[] = {"ID",        "TYPE", "DATO", "GENBRUGT", "FRA", "ENERGI FØR",
                                  "FORVENTET", "MÅLT", "CO2E", "BESKRIVELSE"};
  trinctl_table_t *t = trinctl_table_new(10, h);
  char q[128], n[TRINCTL_NUM_BUF], d[TRINCTL_DA_DATE_BUF];
  for (size_t i = 0; i < p->n_sustainability_measures; i++) {
    const Trin__Lifecycle__SustainabilityMeasure *x = p->sustainability_measures[i];
    trinctl_table_cell(t, "%s", x->id);
    trinctl_table_cell(t, "%s", x->kind);
    trinctl_table_cell(t, "%s", trinctl_da_date(x->recorded_on, d));
    if (x->reused_kg || x->reused_m2)
      trinctl_table_cell(t, "%s %s", quantity(x->reused_kg, x->reused_m2, q, sizeof q),
                         x->material);
    else
      trinctl_table_cell(t, "-");
    trinctl_table_cell(t, "%s", *x->source_project_id ? x->source_project_id
                                : *x->source        ? x->source
                                                    : "-");
    int32_t e[3] = {x->energy_before_kwh_m2_x100, x->energy_expected_after_kwh_m2_x100,
                    x->energy_measured_after_kwh_m2_x100};
    for (int k = 0; k < 3; k++)
      trinctl_table_cell(t, "%s", e[k] ? trinctl_num(e[k], 2, n) : "-");
    if (*x->co2e_method)
      trinctl_table_cell(t, "%s (%s)", trinctl_num(x->co2e_saving_kg_m2_x100, 2, n),
                         x->co2e_method);
    else
      trinctl_table_cell(t, "-");
    trinctl_table_cell(t, "%s", x->description);
  }
  trinctl_table_print(f, t, 2);
  trinctl_table_destroy(&t);
}

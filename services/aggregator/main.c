/* trin-aggregator — one status row per project from every service's events,
 * served as OData, JSON, CSV, SSE, a dashboard, Power BI push and a
 * ZeroMQ PUB. Wiring only: its settings, the service (agg_service.c). */
#include "agg_service.h"
#include "trin_log.h"
#include "trin_service.h"

/* What the settings say; trin_service_start fills it through SETTINGS. */
static agg_config_t ac;

/* The upstreams in AGG_UPSTREAMS' order: lifecycle, budget, survey, benchmark. */
static const trin_service_setting_t SETTINGS[] = {
    {{"retry-ms", "2000", "how long to wait for a service's replay before asking again"},
     .min = 10, .max = 3600000, .i32 = &ac.retry_ms},
    {{"lifecycle-endpoint", "tcp://127.0.0.1:5701", "lifecycle ROUTER (\"\" = not deployed)"},
     .text = &ac.up_endpoint[0]},
    {{"lifecycle-pub-endpoint", "tcp://127.0.0.1:5702", "lifecycle PUB"},
     .text = &ac.up_pub_endpoint[0]},
    {{"budget-endpoint", "tcp://127.0.0.1:5711", "budget ROUTER (\"\" = not deployed)"},
     .text = &ac.up_endpoint[1]},
    {{"budget-pub-endpoint", "tcp://127.0.0.1:5712", "budget PUB"},
     .text = &ac.up_pub_endpoint[1]},
    {{"survey-endpoint", "tcp://127.0.0.1:5721", "survey ROUTER (\"\" = not deployed)"},
     .text = &ac.up_endpoint[2]},
    {{"survey-pub-endpoint", "tcp://127.0.0.1:5722", "survey PUB"},
     .text = &ac.up_pub_endpoint[2]},
    {{"benchmark-endpoint", "tcp://127.0.0.1:5731", "benchmark ROUTER (\"\" = not deployed)"},
     .text = &ac.up_endpoint[3]},
    {{"benchmark-pub-endpoint", "tcp://127.0.0.1:5732", "benchmark PUB"},
     .text = &ac.up_pub_endpoint[3]},
    {{"http-address", "127.0.0.1:8080", "HTTP feed address HOST:PORT (\"\" = no HTTP)"},
     .text = &ac.feed.address},
    {{"token", "",
      TRIN_CONFIG_SECRET "the operator's HTTP token: every row and /metrics (organisations get "
                         "their own with `trinctl token create`; \"\" = none)"},
     .text = &ac.feed.token},
    {{"public-url", "",
      "the feed's URL as clients see it (behind a proxy), e.g. https://trin.example.dk"},
     .text = &ac.feed.public_url},
    {{"page-size", "1000", "OData rows per page before @odata.nextLink"},
     .min = 1, .max = 100000, .i32 = &ac.feed.page_size},
    {{"sse-heartbeat-ms", "15000", "interval of SSE heartbeat comments"},
     .min = 10, .max = 3600000, .i32 = &ac.feed.heartbeat_ms},
    {{"rag-time-amber-days", "14",
      "time is amber when the handover is more than this many days late"},
     .min = 0, .max = 100000, .i32 = &ac.thresholds.time_amber_days},
    {{"rag-time-red-days", "60", "time is red when the handover is more than this many days late"},
     .min = 0, .max = 100000, .i32 = &ac.thresholds.time_red_days},
    {{"rag-economy-amber-bp", "400",
      "economy is amber from this overrun (basis points: 400 = 4 %)"},
     .min = 0, .max = 1000000, .i32 = &ac.thresholds.economy_amber_bp},
    {{"rag-economy-red-bp", "700", "economy is red above this overrun (basis points)"},
     .min = 0, .max = 1000000, .i32 = &ac.thresholds.economy_red_bp},
    {{"rag-economy-earned-value", "0",
      "1 = economy is also judged on earned value where a project has it: the estimate at "
      "completion's overrun of the price budget against the economy thresholds"},
     .min = 0, .max = 1, .i32 = &ac.thresholds.economy_earned_value},
    {{"rag-satisfaction-amber-bp", "6000",
      "satisfaction is amber below this place on the survey's scale (basis points of its span)"},
     .min = 0, .max = 10000, .i32 = &ac.thresholds.satisfaction_amber_bp},
    {{"rag-satisfaction-red-bp", "4000", "satisfaction is red below this place on the scale"},
     .min = 0, .max = 10000, .i32 = &ac.thresholds.satisfaction_red_bp},
    /* item 6 (issue 20): AB18 deadlines */
    {{"deadline-near-days", "14",
      "arbitration_deadline_near is true when the arbitration deadline is this many days away "
      "or fewer"},
     .min = 0, .max = 100000, .i32 = &ac.thresholds.deadline_near_days},
    {{"push-urls", "",
      "Power BI push: comma-separated push-dataset URLs (\"\" = off); a URL without /rows gets "
      "/tables/TABLE/rows"},
     .text = &ac.push.urls},
    {{"push-table", "ProjectStatus", "the push dataset's table"}, .text = &ac.push.table},
    {{"push-max-rows", "10000", "rows per POST (Power BI: at most 10000)"},
     .min = 1, .max = 10000, .i32 = &ac.push.max_rows},
    {{"push-window-posts", "120", "POSTs per window and target (Power BI: 120 per minute)"},
     .min = 1, .max = 100000, .i32 = &ac.push.window_posts},
    {{"push-window-ms", "60000", "the window for push-window-posts"},
     .min = 1, .max = 86400000, .i32 = &ac.push.window_ms},
    {{"push-max-pending", "5", "POSTs in flight per target (Power BI: 5)"},
     .min = 1, .max = 100, .i32 = &ac.push.max_pending},
    {{"push-max-string", "4000", "bytes per string value (Power BI: 4000 characters)"},
     .min = 1, .max = 1000000, .i32 = &ac.push.max_string},
    {{"push-backoff-min-ms", "1000", "first retry delay after a failed POST (doubles per failure)"},
     .min = 1, .max = 3600000, .i32 = &ac.push.backoff_min_ms},
    {{"push-backoff-max-ms", "60000", "longest retry delay"},
     .min = 1, .max = 3600000, .i32 = &ac.push.backoff_max_ms},
    {{"push-timeout-ms", "30000", "time allowed for one POST"},
     .min = 100, .max = 3600000, .i32 = &ac.push.timeout_ms},
};

/* The rule across two of the settings, before the CURVE rule. */
static int check(const trin_config_t *cfg, trin_err_t *err) {
  (void)cfg;
  if (ac.push.backoff_max_ms < ac.push.backoff_min_ms)
    return trin_err_set(err, TRIN_EINVALID, "push-backoff-max-ms",
                        "must be at least push-backoff-min-ms");
  return TRIN_OK;
}

/* Before the store is opened: the keys of the upstreams that are deployed,
 * and the thresholds. */
static int configure(trin_service_t *svc, trin_err_t *err) {
  for (int i = 0; i < AGG_NUPSTREAMS; i++) {
    if (!*ac.up_endpoint[i] || !*ac.up_pub_endpoint[i]) continue;
    int rc = trin_service_peer(svc, AGG_UPSTREAMS[i], ac.up_endpoint[i], ac.up_pub_endpoint[i],
                               &ac.up_curve[i], err);
    if (rc) return rc;
  }
  return agg_thresholds_check(&ac.thresholds, err);
}

static const trin_service_spec_t SPEC = {
    .name = "aggregator",
    .endpoint = "tcp://127.0.0.1:5741",
    .endpoint_help = "ROUTER endpoint (GetRows, EventsSince, Ping)",
    .pub_endpoint = "tcp://127.0.0.1:5742",
    .pub_endpoint_help = "PUB endpoint: every changed row as a StatusRow",
    .sync = "normal",
    .sync_help = "normal (default: the rows can be rebuilt from the services' logs) or full",
    .no_batch_settings = true,
    .settings = SETTINGS,
    .nsettings = (int)(sizeof SETTINGS / sizeof *SETTINGS),
    .check = check,
    .configure = configure,
    .migrate = agg_service_migrate,
};

int main(int argc, char **argv) {
  trin_service_t *svc;
  int status = trin_service_start(&SPEC, argc, argv, &svc);
  if (!svc) return status;
  trin_err_t err = {0};
  agg_service_t *agg = NULL;
  if (agg_service_new_on(trin_service_loop(svc), trin_service_zctx(svc), trin_service_store(svc),
                         trin_service_server(svc), &ac, &agg, &err))
    return trin_service_fail(&svc, &err);
  if (*ac.feed.address) trin_log_info("feed on http://%s/", ac.feed.address);

  trin_service_run(svc);
  agg_service_stats_t st = agg_service_stats(agg);
  trin_log_info("rows: %llu commits, %llu row changes", (unsigned long long)st.commits,
                (unsigned long long)st.rows_changed);
  agg_service_destroy(&agg);
  trin_service_destroy(&svc);
  return 0;
}

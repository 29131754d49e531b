/* bench_util — see bench_util.h. */
#include "bench_util.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

double bench_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bench_median(double *v, size_t n) {
  if (n == 0) return 0;
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_percentile(const double *sorted, size_t n, double q) {
  if (n == 0) return 0;
  size_t r = (size_t)(q * (double)n + 0.999999);
  if (r < 1) r = 1;
  if (r > n) r = n;
  return sorted[r - 1];
}

/* The value after "key:" in a /proc file, or "". */
static void proc_field(const char *path, const char *key, char *out, size_t size) {
  out[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  char line[512];
  size_t kl = strlen(key);
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, key, kl) != 0) continue;
    const char *v = strchr(line, ':');
    if (!v) continue;
    v++;
    while (*v == ' ' || *v == '\t') v++;
    snprintf(out, size, "%s", v);
    out[strcspn(out, "\n")] = '\0';
    break;
  }
  fclose(f);
}

void bench_machine_line(char *out, size_t size) {
  char mem[64], cpu[160], date[64];
  proc_field("/proc/meminfo", "MemTotal", mem, sizeof mem);
  proc_field("/proc/cpuinfo", "model name", cpu, sizeof cpu);
  if (!cpu[0]) proc_field("/proc/cpuinfo", "Hardware", cpu, sizeof cpu); /* ARM */
  if (!cpu[0]) snprintf(cpu, sizeof cpu, "unknown CPU");
  struct utsname u;
  if (uname(&u) != 0) {
    snprintf(u.sysname, sizeof u.sysname, "unknown kernel");
    u.release[0] = '\0';
  }
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
  double gib = strtod(mem, NULL) / (1024.0 * 1024.0);
  snprintf(out, size, "%ld cores, %.1f GiB, %s, %s %s, %s", sysconf(_SC_NPROCESSORS_ONLN), gib,
           cpu, u.sysname, u.release, date);
}

int bench_free_port(void) {
  /* Below Linux's ephemeral range (32768-60999): a port found free there can
   * be taken by any outgoing connection before the service binds it. */
  static int next = 0;
  if (!next) next = 20000 + (int)(getpid() % 1200) * 10;
  for (int tries = 0; tries < 2000; tries++) {
    int port = next++;
    if (next > 32700) next = 20000;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    if (ok) return port;
  }
  return 0;
}

long bench_rss_kib(pid_t pid) {
  char path[64], v[64];
  snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
  proc_field(path, "VmRSS", v, sizeof v);
  return v[0] ? atol(v) : -1;
}

/* Tabs and newlines would break the row file. */
static void clean(char *dst, size_t n, const char *src) {
  snprintf(dst, n, "%s", src ? src : "");
  for (char *p = dst; *p; p++)
    if (*p == '\t' || *p == '\n') *p = ' ';
}

void bench_result(const char *section, const char *figure, double value, const char *unit,
                  const char *reference, double ratio) {
  const char *path = getenv(BENCH_RESULTS_ENV);
  if (!path || !*path) return;
  FILE *f = fopen(path, "a");
  if (!f) return;
  char s[64], fig[160], u[32], ref[96];
  clean(s, sizeof s, section);
  clean(fig, sizeof fig, figure);
  clean(u, sizeof u, unit);
  clean(ref, sizeof ref, reference);
  fprintf(f, "%s\t%s\t%.17g\t%s\t%s\t%.17g\n", s, fig, value, u, ref, ratio);
  fclose(f);
}

typedef struct {
  char section[64], figure[160], unit[32], reference[96];
  double value, ratio;
} row_t;

/* Splits a row line in place; false when it is not one. */
static bool parse_row(char *line, row_t *r) {
  char *f[6];
  int n = 0;
  char *p = line;
  p[strcspn(p, "\n")] = '\0';
  while (n < 6) {
    f[n++] = p;
    char *tab = strchr(p, '\t');
    if (!tab) break;
    *tab = '\0';
    p = tab + 1;
  }
  if (n != 6) return false;
  snprintf(r->section, sizeof r->section, "%s", f[0]);
  snprintf(r->figure, sizeof r->figure, "%s", f[1]);
  r->value = strtod(f[2], NULL);
  snprintf(r->unit, sizeof r->unit, "%s", f[3]);
  snprintf(r->reference, sizeof r->reference, "%s", f[4]);
  r->ratio = strtod(f[5], NULL);
  return true;
}

static void format_value(double v, char *out, size_t n) {
  double a = fabs(v);
  if (isnan(v)) snprintf(out, n, "-");
  else if (a >= 1000 || (a == floor(a) && a >= 10)) snprintf(out, n, "%.0f", v);
  else if (a >= 10) snprintf(out, n, "%.1f", v);
  else if (a >= 1) snprintf(out, n, "%.2f", v);
  else snprintf(out, n, "%.3f", v);
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

static void json_number(FILE *f, double v) {
  if (isnan(v) || isinf(v)) fputs("null", f);
  else fprintf(f, "%.6g", v);
}

int bench_report(const char *results, const char *json_path, const char *title) {
  FILE *in = fopen(results, "r");
  if (!in) {
    fprintf(stderr, "bench_report: cannot read %s\n", results);
    return -1;
  }
  size_t n = 0, cap = 64;
  row_t *rows = malloc(cap * sizeof *rows);
  char line[1024];
  while (rows && fgets(line, sizeof line, in)) {
    if (n == cap) {
      row_t *g = realloc(rows, 2 * cap * sizeof *rows);
      if (!g) break;
      rows = g;
      cap *= 2;
    }
    if (parse_row(line, &rows[n])) n++;
  }
  fclose(in);
  if (!rows) return -1;
  char machine[512];
  bench_machine_line(machine, sizeof machine);
  printf("%s\n", title);
  printf("machine: %s\n\n", machine);
  /* The figure column as wide as its longest figure, so the others line up. */
  int w = 66;
  for (size_t i = 0; i < n; i++) {
    int len = (int)strlen(rows[i].figure);
    if (len > w) w = len;
  }
  printf("%-*s %12s %-7s %-28s %s\n", w, "figure", "value", "unit", "reference / target",
         "ratio");
  const char *section = "";
  for (size_t i = 0; i < n; i++) {
    row_t *r = &rows[i];
    if (strcmp(section, r->section) != 0) {
      printf("-- %s\n", r->section);
      section = r->section;
    }
    char v[32], q[32] = "";
    format_value(r->value, v, sizeof v);
    if (!isnan(r->ratio)) format_value(r->ratio, q, sizeof q);
    printf("%-*s %12s %-7s %-28s %s\n", w, r->figure, v, r->unit, r->reference, q);
  }
  int rc = 0;
  if (json_path) {
    FILE *f = fopen(json_path, "w");
    if (!f) {
      fprintf(stderr, "bench_report: cannot write %s\n", json_path);
      rc = -1;
    } else {
      fputs("{\n  \"title\": ", f);
      json_string(f, title);
      fputs(",\n  \"machine\": ", f);
      json_string(f, machine);
      fprintf(f, ",\n  \"cores\": %ld,\n  \"rows\": [\n", sysconf(_SC_NPROCESSORS_ONLN));
      for (size_t i = 0; i < n; i++) {
        row_t *r = &rows[i];
        fputs("    {\"section\": ", f);
        json_string(f, r->section);
        fputs(", \"figure\": ", f);
        json_string(f, r->figure);
        fputs(", \"value\": ", f);
        json_number(f, r->value);
        fputs(", \"unit\": ", f);
        json_string(f, r->unit);
        fputs(", \"reference\": ", f);
        json_string(f, r->reference);
        fputs(", \"ratio\": ", f);
        json_number(f, r->ratio);
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
      }
      fputs("  ]\n}\n", f);
      if (fclose(f) != 0) rc = -1;
      else printf("\nJSON: %s\n", json_path);
    }
  }
  free(rows);
  return rc;
}

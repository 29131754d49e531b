#!/usr/bin/env python3
"""check_deploy — keeps the deployment files in step with the real programs.

Docker cannot run on our machines, so docker-compose.yml, deploy/Dockerfile,
deploy/config/*.conf and deploy/systemd/* are checked against what the built
binaries say about themselves (`--help` lists every setting and its
environment variable) and against each other:

  compose   only Compose attributes; every TRIN_* variable and --flag names a
            real setting of the container's binary, and no secret (token) is a
            --flag; sockets on tcp://0.0.0.0 with CURVE keys, never
            insecure; peers reached by compose service name on their real
            ports; a PostgreSQL database per service that the init script
            makes; a healthcheck per container whose command the image
            installs; a volume per service; the HTTP ports published (the
            aggregator's feed, the survey webhook, the gateway's API); the
            gateway's key registered with role gateway
  image     both stages on Debian 12; the build stage has install-deps.sh's
            -dev packages; the runtime stage has the package of every shared
            library the binaries link; non-root user; /var/lib/trin a volume
  configs   every setting of the service shown, none unknown, commented ones
            at their defaults; CURVE keys set; each peer endpoint is where that
            peer's file binds; the binary itself accepts the file
  systemd   ExecStart names the service's binary and its example config, and
            no secret;
            hardening present; `systemd-analyze verify` and `security` (when
            installed) find no error and an exposure of at most MAX_EXPOSURE
  README    the "Operating trin" ports table has every service's ports
  rehearsal (--rehearse) the compose environment on this machine, ports moved:
            a PostgreSQL server set up by deploy/docker/postgres-init.sh (SQLite
            where none can start), trin-init-keys makes and registers the keys
            (twice: the second run changes nothing; the gateway's with role
            gateway), the five services and the gateway start over CURVE, every
            healthcheck passes, a client without a registered key is not let
            in, a project made on lifecycle reaches the aggregator's feed
            through the services' CURVE links, and a person's token made at
            the gateway opens a dispute on it over HTTP that the feed then
            shows (the quick start's curl lines, in the compose layout); no
            token or password is in any started process's arguments (ps)

Usage (CTest passes the paths; see tests/integration/deploy.cmake):
  check_deploy.py --root SRC --bin lifecycle=PATH ... --trinctl PATH [--rehearse]
Exit 0 when everything holds; otherwise each problem on its own line.
"""

import argparse
import csv
import glob
import io
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    import yaml
except ImportError:
    sys.exit("check_deploy: PyYAML is missing: install python3-yaml (deploy/install-deps.sh)")

SERVICES = ["lifecycle", "budget", "survey", "benchmark", "aggregator", "gateway"]
# The role each one's key is registered with (trin-init-keys NAME:ROLE);
# service unless named here. The gateway acts on behalf of people, which only
# a key of role gateway may do.
KEY_ROLE = {"gateway": "gateway"}
STATE = "/var/lib/trin"  # the state volume's mount point in the image

problems = []


def problem(where, msg):
    problems.append(f"{where}: {msg}")


# ---- what the binaries say -----------------------------------------------------

HELP_KEY = re.compile(r"^  --(\S+)\s")
HELP_DEFAULT = re.compile(r"^\s+\(default: (.*); environment (TRIN_[A-Z0-9_]+)\)$")
# A secret's third line: it may also be given as KEY-file (its first line).
HELP_SECRET = re.compile(r"^\s+secret: give it by --(\S+)-file FILE")


def clean_env(extra=None):
    """A bare environment, so the caller's TRIN_* variables change nothing."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    env.update(extra or {})
    return env


def settings_of(svc, binary):
    """{key: {"default": str, "env": {names}}} from `binary --help`."""
    out = subprocess.run([binary, "--help"], env=clean_env(), capture_output=True,
                         text=True, timeout=60)
    if out.returncode != 0:
        sys.exit(f"{binary} --help failed ({out.returncode}): {out.stderr.strip()}")
    keys, last = {}, None
    for line in out.stdout.splitlines():
        m = HELP_SECRET.match(line)
        if m and m.group(1) in keys:
            k = m.group(1)
            keys[k]["secret"] = True
            keys[k + "-file"] = {"default": "", "secret_of": k,
                                 "env": {e + "_FILE" for e in keys[k]["env"]},
                                 "printed": keys[k]["printed"] + "_FILE"}
            continue
        m = HELP_KEY.match(line)
        if m and m.group(1) != "config":
            last = m.group(1)
            keys[last] = {"default": None, "env": set()}
            continue
        m = HELP_DEFAULT.match(line)
        if m and last:
            d = m.group(1)
            keys[last]["default"] = "" if d == "none" else d
            # The name --help prints, and TRIN_<KEY>, which trin_config
            # always reads as the fallback.
            keys[last]["env"] = {m.group(2), env_name(None, last)}
            keys[last]["printed"] = m.group(2)
            last = None
    if not keys:
        sys.exit(f"{binary} --help listed no settings; has its format changed?")
    return keys


def env_name(prefix, key):
    k = re.sub(r"[.-]", "_", key).upper()
    return f"TRIN_{prefix.upper()}_{k}" if prefix else f"TRIN_{k}"


def env_to_key(settings, var):
    for k, s in settings.items():
        if var in s["env"]:
            return k
    return None


# ---- compose --------------------------------------------------------------------

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def read_env_example(path):
    vals = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                vals[k.strip()] = v.strip()
    return vals


def interpolate(where, text, env_example, sample):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?message}: every variable must be
    in deploy/docker/env.example; sample values stand in for the operator's."""
    if not isinstance(text, str):
        return text

    def sub(m):
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if name not in env_example:
            problem(where, f"${{{name}}} is not in deploy/docker/env.example")
        v = sample.get(name, env_example.get(name, ""))
        if op in (":-", "-") and not v:
            return arg
        return v

    return VAR.sub(sub, text.replace("$$", "$"))


def as_dict(env):
    if env is None:
        return {}
    if isinstance(env, list):
        return dict(e.split("=", 1) if "=" in e else (e, "") for e in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def parse_tcp(ep):
    m = re.match(r"^tcp://([^:/]+):(\d+)$", ep or "")
    return (m.group(1), int(m.group(2))) if m else None


def volume_mounts(where, svc_def, declared):
    """[(source, target, read_only)] of named volumes; bind mounts are checked to exist."""
    out = []
    for v in svc_def.get("volumes") or []:
        if isinstance(v, dict):
            src, dst, ro = v.get("source"), v.get("target"), bool(v.get("read_only"))
        else:
            parts = v.split(":")
            src, dst = parts[0], parts[1] if len(parts) > 1 else parts[0]
            ro = len(parts) > 2 and "ro" in parts[2].split(",")
        if src.startswith((".", "/")):
            out.append(("bind:" + src, dst, ro))
        else:
            if src not in declared:
                problem(where, f"volume '{src}' is not declared under the top-level volumes:")
            out.append((src, dst, ro))
    return out


def inside(path, mounts):
    return any(path == dst or path.startswith(dst.rstrip("/") + "/") for _, dst, _ in mounts)


def dockerfile_installs(root):
    """Names of the programs the runtime stage puts on PATH (/usr/local/bin)."""
    text = open(os.path.join(root, "deploy/Dockerfile")).read()
    runtime = text.split("AS runtime", 1)[-1]
    names = set()
    for m in re.finditer(r"^COPY\s+--from=build\s+(.+?)\s+(\S+)\s*$", runtime.replace("\\\n", " "),
                         re.M):
        srcs, dst = m.group(1).split(), m.group(2)
        if dst.endswith("/"):
            names.update(os.path.basename(s) for s in srcs)
        else:
            names.add(os.path.basename(dst))
    return names


def duration_s(text):
    """Compose's durations ("1m30s", "5s", "500ms") in seconds; None if unreadable."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", str(text))
    if not parts or "".join(n + u for n, u in parts) != str(text):
        return None
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


# The Compose attributes this file may use: a misspelt one ("healthchek") is
# refused by docker compose, so it is refused here first.
# No top-level "name": Debian 12's docker-compose 1.29 refuses it (the
# project name is COMPOSE_PROJECT_NAME in deploy/docker/env.example).
COMPOSE_TOP = {"version", "services", "volumes", "networks", "secrets", "configs"}
COMPOSE_SERVICE = {
    "build", "cap_add", "cap_drop", "command", "configs", "container_name", "cpus",
    "depends_on", "deploy", "entrypoint", "env_file", "environment", "expose", "extra_hosts",
    "healthcheck", "hostname", "image", "init", "labels", "logging", "mem_limit", "network_mode",
    "networks", "pids_limit", "platform", "ports", "profiles", "pull_policy", "read_only",
    "restart", "secrets", "security_opt", "shm_size", "stop_grace_period", "stop_signal",
    "sysctls", "tmpfs", "ulimits", "user", "volumes", "working_dir"}
COMPOSE_HEALTHCHECK = {"test", "interval", "timeout", "retries", "start_period",
                       "start_interval", "disable"}
COMPOSE_BUILD = {"context", "dockerfile", "args", "target", "cache_from", "labels", "tags"}


def check_compose_names(where, doc):
    for k in doc:
        if k not in COMPOSE_TOP and not str(k).startswith("x-"):
            problem(where, f"top-level '{k}' is not a Compose attribute")
    for name, d in (doc.get("services") or {}).items():
        for k in d or {}:
            if k not in COMPOSE_SERVICE:
                problem(f"{where} {name}", f"'{k}' is not a Compose service attribute")
        for k in (d or {}).get("healthcheck") or {}:
            if k not in COMPOSE_HEALTHCHECK:
                problem(f"{where} {name}", f"healthcheck '{k}' is not a Compose attribute")
        b = (d or {}).get("build")
        for k in b if isinstance(b, dict) else {}:
            if k not in COMPOSE_BUILD:
                problem(f"{where} {name}", f"build '{k}' is not a Compose attribute")
        for dep, c in ((d or {}).get("depends_on") or {}).items() \
                if isinstance((d or {}).get("depends_on"), dict) else []:
            if dep not in (doc.get("services") or {}):
                problem(f"{where} {name}", f"depends on '{dep}', which is no service")
            if (c or {}).get("condition") not in ("service_started", "service_healthy",
                                                  "service_completed_successfully"):
                problem(f"{where} {name}", f"depends_on {dep}: unknown condition")


def check_compose(root, settings, sample):
    path = os.path.join(root, "docker-compose.yml")
    where = "docker-compose.yml"
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        problem(where, f"not valid YAML: {e}")
        return None, {}
    if not isinstance(doc, dict):
        problem(where, "is not a mapping")
        return None, {}
    check_compose_names(where, doc)
    env_example = read_env_example(os.path.join(root, "deploy/docker/env.example"))
    # Without `name:` the project name, and with it every volume's name
    # (trin_pgdata), would be the checkout's directory.
    if env_example.get("COMPOSE_PROJECT_NAME") != "trin":
        problem("deploy/docker/env.example", "COMPOSE_PROJECT_NAME=trin is missing: the "
                "volumes would be named after the directory compose runs in")
    services = doc.get("services") or {}
    declared = set((doc.get("volumes") or {}).keys())
    installed = dockerfile_installs(root)
    used_volumes = set()
    resolved = {}  # svc -> {key: value}

    for name in SERVICES + ["postgres", "keys"]:
        if name not in services:
            problem(where, f"no service '{name}'")

    # PostgreSQL: a Debian-based 15 image, its data on a volume, a healthcheck.
    pg = services.get("postgres") or {}
    image = str(pg.get("image", ""))
    if not re.match(r"^postgres:15(\.\d+)*-bookworm$", image):
        problem(where + " postgres", f"image '{image}' is not postgres:15-bookworm (Debian 12)")
    pg_mounts = volume_mounts(where + " postgres", pg, declared)
    used_volumes.update(s for s, _, _ in pg_mounts)
    if not any(d == "/var/lib/postgresql/data" and not s.startswith("bind:")
               for s, d, _ in pg_mounts):
        problem(where + " postgres", "/var/lib/postgresql/data is not on a named volume")
    for s, _, _ in pg_mounts:
        if s.startswith("bind:") and not os.path.exists(os.path.join(root, s[5:])):
            problem(where + " postgres", f"bind mount {s[5:]} does not exist")
    pg_test = (pg.get("healthcheck") or {}).get("test") or []
    if len(pg_test) < 2 or pg_test[0] != "CMD" or pg_test[1] != "pg_isready":
        problem(where + " postgres", "healthcheck must be [\"CMD\", \"pg_isready\", ...]")
    databases = set()
    init = os.path.join(root, "deploy/docker/postgres-init.sh")
    m = re.search(r'^TRIN_DATABASES="([^"]*)"', open(init).read(), re.M)
    if m:
        databases = set(m.group(1).split())
    else:
        problem("deploy/docker/postgres-init.sh", "no TRIN_DATABASES=\"...\" line")

    ports_of = {}  # svc -> {"endpoint": port, "pub-endpoint": port}
    stores = {}
    for svc in SERVICES:
        d = services.get(svc)
        if not d:
            continue
        w = f"{where} {svc}"
        st = settings[svc]
        cmd = d.get("command") or []
        if isinstance(cmd, str):
            cmd = shlex.split(cmd)
        if not cmd or cmd[0] != f"trin-{svc}":
            problem(w, f"command must start with trin-{svc}, not {cmd[:1]}")
        elif cmd[0] not in installed:
            problem(w, f"command {cmd[0]} is not installed by deploy/Dockerfile")
        values = {}
        for a in cmd[1:]:
            m = re.match(r"^--([^=]+)=(.*)$", a)
            if not m or m.group(1) not in st:
                problem(w, f"command argument '{a}' is not --SETTING=VALUE of trin-{svc}")
            elif st[m.group(1)].get("secret"):
                problem(w, f"--{m.group(1)} is a secret: ps shows arguments; give it as "
                           f"{st[m.group(1)]['printed']} or {m.group(1)}-file")
            else:
                values[m.group(1)] = m.group(2)
        build = d.get("build") or {}
        if not build or build.get("dockerfile") != "deploy/Dockerfile":
            problem(w, "must be built from deploy/Dockerfile")
        # Hardening, as the systemd units have it.
        if d.get("read_only") is not True:
            problem(w, "read_only: true missing (only the volumes are written)")
        if "no-new-privileges:true" not in (d.get("security_opt") or []):
            problem(w, "security_opt no-new-privileges:true missing")
        if "ALL" not in (d.get("cap_drop") or []):
            problem(w, "cap_drop: [ALL] missing")
        if str(d.get("user", "")).split(":")[0] in ("0", "root"):
            problem(w, "runs as root")

        for var, raw in as_dict(d.get("environment")).items():
            val = interpolate(w, raw, env_example, sample)
            if var.startswith("TRIN_"):
                key = env_to_key(st, var)
                if key is None:
                    problem(w, f"{var} names no setting of trin-{svc}: renamed or removed? "
                               f"(trin-{svc} --help lists "
                               f"{', '.join(s.get('printed', '?') for s in st.values())})")
                    continue
                if key in values:
                    problem(w, f"{var} sets '{key}' a second time")
                values[key] = val
            elif not var.startswith("PG"):
                problem(w, f"{var}: only TRIN_* settings and libpq's PG* variables belong here")
        resolved[svc] = values

        def get(k):
            return values.get(k, (st.get(k) or {}).get("default"))

        # Sockets: all interfaces inside the compose network, the default ports.
        ports_of[svc] = {}
        for k in ("endpoint", "pub-endpoint"):
            hp = parse_tcp(get(k))
            default = parse_tcp((st.get(k) or {}).get("default"))
            if not hp or hp[0] != "0.0.0.0":
                problem(w, f"{k} must be tcp://0.0.0.0:PORT, not '{get(k)}'")
            elif default and hp[1] != default[1]:
                problem(w, f"{k} port {hp[1]} is not the service's port {default[1]} "
                           f"(README's ports table)")
            if hp:
                ports_of[svc][k] = hp[1]

        mounts = volume_mounts(w, d, declared)
        used_volumes.update(s for s, _, _ in mounts)
        if not any(dst == STATE and not s.startswith("bind:") for s, dst, _ in mounts):
            problem(w, f"no named volume at {STATE} (its keys and state)")

        # CURVE on, never insecure.
        for k in ("key", "key-registry", "peer-keys", "insecure"):
            if k not in st:
                problem(w, f"trin-{svc} has no '{k}' setting any more (see --help)")
        for k in ("key", "key-registry", "peer-keys"):
            v = get(k)
            if not v:
                problem(w, f"'{k}' is not set: tcp:// needs CURVE")
            elif not inside(v, mounts):
                problem(w, f"{k} {v} is on no volume of the container")
        if str(get("insecure")).lower() in ("1", "true", "yes", "on"):
            problem(w, "insecure is true: plain tcp is for trusted networks, not this file")
        key = get("key") or ""
        if key and not key.startswith(STATE + "/"):
            problem(w, f"key {key} should live in the service's own volume ({STATE})")
        regdir = os.path.dirname(get("key-registry") or "")
        for s, dst, ro in mounts:
            if dst == regdir and not ro:
                problem(w, f"{dst} (registry and public keys) should be mounted :ro")

        # Store: PostgreSQL, its own database, made by the init script.
        store = get("store") or ""
        m = re.match(r"^postgres(?:ql)?://(?:[^@/]+@)?([^:/]+)(?::(\d+))?/([A-Za-z0-9_]+)", store)
        if not m:
            problem(w, f"store '{store}' is not a postgresql:// URI")
        else:
            host, db = m.group(1), m.group(3)
            if host not in services:
                problem(w, f"store host '{host}' is not a compose service")
            if ":" in store.split("//", 1)[1].split("@")[0] and "@" in store:
                problem(w, "store has a password in it; it is logged at start: use PGPASSWORD")
            if db in stores.values():
                problem(w, f"store database '{db}' is shared with another service")
            if databases and db not in databases:
                problem(w, f"database '{db}' is not made by deploy/docker/postgres-init.sh")
            stores[svc] = db

        deps = d.get("depends_on") or {}
        if "keys" not in deps:
            problem(w, "does not depend on the keys container")
        elif isinstance(deps, dict) and \
                (deps["keys"] or {}).get("condition") != "service_completed_successfully":
            problem(w, "must wait for keys: service_completed_successfully")
        if "postgres" not in deps:
            problem(w, "does not depend on postgres")

        # Healthcheck: trinctl ping over CURVE with the service's own key.
        hc = d.get("healthcheck") or {}
        test = hc.get("test") or []
        if not test or hc.get("disable"):
            problem(w, "no healthcheck")
        elif test[0] != "CMD":
            problem(w, "healthcheck test must be the exec form [\"CMD\", ...]")
        else:
            prog = test[1]
            if prog not in installed:
                problem(w, f"healthcheck runs '{prog}', which deploy/Dockerfile does not install")
            args = test[2:]
            opt = {}
            for i, a in enumerate(args):
                if a.startswith("--") and i + 1 < len(args) and a not in ("--json",):
                    opt[a] = args[i + 1]
            if prog == "trinctl":
                if "ping" not in args:
                    problem(w, "healthcheck is not `trinctl ... ping`")
                want = (get("endpoint") or "").replace("0.0.0.0", "127.0.0.1")
                if opt.get("--endpoint") != want:
                    problem(w, f"healthcheck pings {opt.get('--endpoint')}, the service is {want}")
                if opt.get("--key") != key:
                    problem(w, f"healthcheck --key {opt.get('--key')} is not the service's "
                               f"key {key}")
                limit = duration_s(hc.get("timeout", "30s"))
                if limit is not None and int(opt.get("--timeout", "5000")) >= limit * 1000:
                    problem(w, f"healthcheck: trinctl --timeout {opt.get('--timeout', '5000')} ms "
                               f"is not shorter than the healthcheck's timeout {hc.get('timeout')}")
                want_pub = os.path.join(get("peer-keys") or "", f"{svc}.pub")
                if opt.get("--server-key") != want_pub:
                    problem(w, f"healthcheck --server-key must be {want_pub}")
        resolved[svc]["_mounts"] = mounts
        resolved[svc]["_healthcheck"] = list(test)

    # Peers: by compose service name, on the port that peer binds.
    for svc, values in resolved.items():
        for k, v in values.items():
            m = re.match(r"^(\w+)-(pub-)?endpoint$", k)
            if not m or m.group(1) not in SERVICES or not v:
                continue
            peer, which = m.group(1), "pub-endpoint" if m.group(2) else "endpoint"
            hp = parse_tcp(v)
            if not hp:
                problem(f"{where} {svc}", f"{k} '{v}' is not tcp://HOST:PORT")
            elif hp[0] not in services:
                problem(f"{where} {svc}", f"{k} host '{hp[0]}' is not a compose service")
            elif hp[1] != ports_of.get(peer, {}).get(which):
                problem(f"{where} {svc}", f"{k} port {hp[1]} is not {peer}'s {which} port "
                                          f"{ports_of.get(peer, {}).get(which)}")
    # Every service the aggregator and benchmark know is followed, and every
    # service the gateway knows is reached.
    for svc in ("aggregator", "benchmark", "gateway"):
        for k in settings[svc]:
            m = re.match(r"^(\w+)-endpoint$", k)
            if m and m.group(1) in SERVICES and not (resolved.get(svc) or {}).get(k):
                problem(f"{where} {svc}", f"{k} is not set: {m.group(1)} would not be "
                                          + ("reached" if svc == "gateway" else "followed"))

    # The aggregator's feed, the survey webhook and the gateway's API published.
    for svc, key in (("aggregator", "http-address"), ("survey", "http-address"),
                     ("gateway", "http-addr")):
        d = services.get(svc) or {}
        addr = (resolved.get(svc) or {}).get(key) or ""
        m = re.match(r"^0\.0\.0\.0:(\d+)$", addr)
        if not m:
            problem(f"{where} {svc}", f"{key} must be 0.0.0.0:PORT, not '{addr}'")
            continue
        published = [interpolate(f"{where} {svc}", str(p), env_example, sample)
                     for p in d.get("ports") or []]
        if not any(p.split(":")[-1].split("/")[0] == m.group(1) for p in published):
            problem(f"{where} {svc}", f"HTTP port {m.group(1)} is not published (ports:)")

    # The keys container makes every service's key where the service reads it.
    k = services.get("keys") or {}
    cmd = k.get("command") or []
    if not cmd or cmd[0] not in installed:
        problem(where + " keys", f"command {cmd[:1]} is not installed by deploy/Dockerfile")
    else:
        if k.get("restart") != "no":
            problem(where + " keys", "a one-shot container: restart: \"no\"")
        kmounts = volume_mounts(where + " keys", k, declared)
        used_volumes.update(s for s, _, _ in kmounts)
        rest = cmd[1:]
        while rest and rest[0].startswith("--"):
            rest = rest[2:]
        if len(rest) < 3:
            problem(where + " keys", "command must be trin-init-keys [opts] KEYS STATE SERVICE...")
        else:
            keys_dir, state_root = rest[0], rest[1]
            made = {}
            for arg in rest[2:]:
                name, _, role = arg.partition(":")
                made[name] = role or "service"
            for svc, values in resolved.items():
                if svc not in made:
                    problem(where + " keys", f"does not make {svc}'s key")
                elif made[svc] != KEY_ROLE.get(svc, "service"):
                    problem(where + " keys", f"registers {svc}'s key with role {made[svc]}, "
                                             f"not {KEY_ROLE.get(svc, 'service')} "
                                             f"(write {svc}:{KEY_ROLE.get(svc, 'service')})")
                if values.get("key") != f"{STATE}/curve.key":
                    problem(where + " keys", f"makes {STATE}/curve.key, {svc} reads "
                                             f"{values.get('key')}")
                if values.get("peer-keys") != keys_dir or \
                        values.get("key-registry") != keys_dir + "/registry":
                    problem(where + " keys", f"writes {keys_dir}; {svc}'s peer-keys / "
                                             f"key-registry differ")
                vol = next((s for s, dst, _ in values.get("_mounts", []) if dst == STATE), None)
                if vol and (vol, f"{state_root}/{svc}") not in [(s, dst) for s, dst, _ in kmounts]:
                    problem(where + " keys", f"does not mount {vol} at {state_root}/{svc}")
                kv = next((s for s, dst, _ in values.get("_mounts", []) if dst == keys_dir), None)
                if kv and (kv, keys_dir) not in [(s, dst) for s, dst, _ in kmounts]:
                    problem(where + " keys", f"does not mount {kv} at {keys_dir}")

    for v in declared - used_volumes:
        problem(where, f"volume '{v}' is declared but no container mounts it")
    return doc, resolved


# ---- the image -----------------------------------------------------------------


def apt_packages(stage_text):
    pkgs = set()
    for m in re.finditer(r"apt-get install([^&]*)", stage_text.replace("\\\n", " ")):
        pkgs.update(w for w in m.group(1).split() if not w.startswith("-"))
    return pkgs


def install_deps_packages(root):
    text = open(os.path.join(root, "deploy/install-deps.sh")).read()
    m = re.search(r"^PACKAGES=\((.*?)^\)", text, re.M | re.S)
    if not m:
        problem("deploy/install-deps.sh", "no PACKAGES=( ... ) list")
        return set()
    return {w for line in m.group(1).splitlines() for w in line.split("#")[0].split()}


TEST_ONLY = re.compile(r"^(libcmocka-dev|libclang-rt-.*|clang|chromium|nodejs|npm|python3.*|"
                       r"postgresql.*|iproute2|.*-doc)$")


def needed_packages(binaries):
    """Packages holding the shared libraries the binaries link (readelf NEEDED)."""
    if not shutil.which("readelf") or not shutil.which("dpkg"):
        return None
    pkgs, sonames = set(), set()
    for b in binaries:
        out = subprocess.run(["readelf", "-d", b], capture_output=True, text=True).stdout
        sonames.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))
        ldd = subprocess.run(["ldd", b], capture_output=True, text=True).stdout
        for line in ldd.splitlines():
            m = re.match(r"^\s*(\S+) => (\S+)", line)
            if m and m.group(1) in sonames:
                path = m.group(2)
                cands = [path, os.path.realpath(path)]
                cands += [c[4:] if c.startswith("/usr/") else "/usr" + c for c in list(cands)]
                for c in cands:
                    r = subprocess.run(["dpkg", "-S", c], capture_output=True, text=True)
                    if r.returncode == 0:
                        pkgs.add((m.group(1), r.stdout.split(":")[0].strip()))
                        break
                else:
                    pkgs.add((m.group(1), None))
    return pkgs


def check_image(root, binaries):
    where = "deploy/Dockerfile"
    text = open(os.path.join(root, where)).read()
    froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    if len(froms) < 2:
        problem(where, "expected a build and a runtime stage")
    for image, _ in froms:
        if not re.match(r"^debian:(12|bookworm)(-slim)?$", image) and \
                not re.match(r"^debian:(12|bookworm)", image):
            problem(where, f"FROM {image} is not Debian 12")
    if "AS runtime" not in text or "AS build" not in text:
        problem(where, "stages must be named build and runtime")
        return
    build_text, runtime_text = text.split("AS runtime", 1)
    build_pkgs, runtime_pkgs = apt_packages(build_text), apt_packages(runtime_text)
    for p in sorted(install_deps_packages(root)):
        if (p.endswith("-dev") or p in ("build-essential", "cmake", "pkg-config",
                                        "protobuf-c-compiler")) and not TEST_ONLY.match(p) \
                and p not in build_pkgs:
            problem(where, f"build stage lacks {p}, which deploy/install-deps.sh installs")
    if "-DCMAKE_BUILD_TYPE=Release" not in build_text:
        problem(where, "the build is not a Release build")
    needed = needed_packages(binaries)
    if needed is None:
        print("check_deploy: readelf or dpkg missing: runtime libraries not checked")
    else:
        for soname, pkg in sorted(needed, key=str):
            if re.match(r"^lib(asan|ubsan|lsan|tsan)", soname):
                continue  # sanitizer builds only
            if pkg is None:
                problem(where, f"cannot tell which package holds {soname}")
            elif pkg not in runtime_pkgs and pkg not in ("libc6", "libgcc-s1"):
                problem(where, f"runtime stage lacks {pkg} ({soname}, linked by the binaries)")
    if not re.search(r"^USER\s+(?!root|0\b)\S+", runtime_text, re.M):
        problem(where, "the runtime stage runs as root (needs USER trin)")
    if not re.search(r"^VOLUME.*/var/lib/trin", runtime_text, re.M):
        problem(where, "/var/lib/trin is not a VOLUME")
    installed = dockerfile_installs(root)
    for name in [f"trin-{s}" for s in SERVICES] + ["trinctl", "trin-init-keys"]:
        if name not in installed:
            problem(where, f"the runtime stage does not install {name}")
    for src in re.findall(r"^\s+(deploy/\S+)", build_text, re.M):
        if not os.path.exists(os.path.join(root, src)):
            problem(where, f"{src} does not exist")


# ---- example configuration ------------------------------------------------------

CONF_SET = re.compile(r"^([a-z][a-z0-9.-]*)\s*=\s*(.*)$")
CONF_COMMENTED = re.compile(r"^#\s*([a-z][a-z0-9.-]*)\s*=\s*(.*)$")


def unquote(v):
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v


def check_configs(root, settings, binaries):
    effective = {}  # svc -> {key: value}, the file over the defaults
    for svc in SERVICES:
        rel = f"deploy/config/{svc}.conf"
        path = os.path.join(root, rel)
        if not os.path.exists(path):
            problem(rel, "missing")
            continue
        st = settings[svc]
        set_, commented = {}, {}
        for n, line in enumerate(open(path), 1):
            line = line.strip()
            m = CONF_SET.match(line)
            if m:
                if m.group(1) not in st:
                    problem(f"{rel}:{n}", f"'{m.group(1)}' is not a setting of trin-{svc} "
                                          f"(renamed? see trin-{svc} --help)")
                set_[m.group(1)] = unquote(m.group(2))
                continue
            m = CONF_COMMENTED.match(line)
            if m:
                if m.group(1) not in st:
                    problem(f"{rel}:{n}", f"'{m.group(1)}' (commented) is not a setting of "
                                          f"trin-{svc} (renamed? see trin-{svc} --help)")
                commented.setdefault(m.group(1), []).append((n, unquote(m.group(2))))
            elif line and not line.startswith("#"):
                problem(f"{rel}:{n}", "neither 'key = value' nor a comment")
        for k, s in st.items():
            if k not in set_ and k not in commented:
                problem(rel, f"setting '{k}' of trin-{svc} is not shown")
            elif k not in set_:
                for n, v in commented[k]:
                    if v != (s["default"] or ""):
                        problem(f"{rel}:{n}", f"'{k}' is commented out as '{v}' but its default "
                                              f"is '{s['default']}'")
        if str(set_.get("insecure", "")).lower() in ("1", "true", "yes", "on"):
            problem(rel, "insecure is true")
        for k in ("key", "key-registry", "peer-keys"):
            if not set_.get(k):
                problem(rel, f"'{k}' is not set: tcp:// needs CURVE")
        if set_.get("key") and not set_["key"].startswith(f"/var/lib/trin/{svc}/"):
            problem(rel, f"key should live in the unit's StateDirectory /var/lib/trin/{svc}")
        effective[svc] = {k: set_.get(k, s["default"] or "") for k, s in st.items()}
        # The program itself reads the file (unknown keys and bad lines are errors).
        r = subprocess.run([binaries[svc], "--config", path, "--help"], env=clean_env(),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            problem(rel, f"trin-{svc} refuses it: {r.stderr.strip()}")
    # One machine's services find each other: every peer endpoint is the port
    # that peer's own file binds.
    for svc, values in effective.items():
        for k, v in values.items():
            m = re.match(r"^(\w+)-(pub-)?endpoint$", k)
            if not m or m.group(1) not in effective or not v:
                continue
            peer, which = m.group(1), "pub-endpoint" if m.group(2) else "endpoint"
            got, bound = parse_tcp(v), parse_tcp(effective[peer][which])
            if not got or not bound or got[1] != bound[1] or \
                    bound[0] not in (got[0], "0.0.0.0"):
                problem(f"deploy/config/{svc}.conf", f"{k} {v} is not where "
                        f"deploy/config/{peer}.conf binds its {which} "
                        f"({effective[peer][which]})")


# ---- systemd ----------------------------------------------------------------------


def read_unit(path):
    sections, cur = {}, None
    for line in open(path):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            cur = sections.setdefault(line.strip("[]"), {})
        elif "=" in line and cur is not None:
            k, v = line.split("=", 1)
            cur.setdefault(k.strip(), []).append(v.strip())
    return sections


MAX_EXPOSURE = 2.5  # the units score 1.5 with systemd 252

HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
             "ProtectHome": "yes", "PrivateDevices": "yes", "RestrictSUIDSGID": "yes"}


def check_systemd(root, binaries):
    d = os.path.join(root, "deploy/systemd")
    for svc in SERVICES:
        rel = f"deploy/systemd/trin-{svc}.service"
        path = os.path.join(root, rel)
        if not os.path.exists(path):
            problem(rel, "missing")
            continue
        u = read_unit(path)
        s = u.get("Service", {})
        one = {k: v[-1] for k, v in s.items()}
        if one.get("Type") != "simple":
            problem(rel, "Type must be simple")
        if one.get("User") != "trin":
            problem(rel, "User must be trin")
        argv = shlex.split(one.get("ExecStart", ""))
        if not argv or os.path.basename(argv[0]) != f"trin-{svc}":
            problem(rel, f"ExecStart must run trin-{svc}, not {argv[:1]}")
        for a in argv[1:]:
            k = a[2:].split("=", 1)[0] if a.startswith("--") else ""
            if settings_cache.get(svc, {}).get(k, {}).get("secret"):
                problem(rel, f"ExecStart passes the secret --{k}: ps shows arguments; set it "
                             f"in /etc/trin/{svc}.conf (or {k}-file) or /etc/trin/{svc}.env")
        if "--config" not in argv or argv.index("--config") + 1 >= len(argv):
            problem(rel, "ExecStart has no --config FILE")
        else:
            conf = argv[argv.index("--config") + 1]
            if conf != f"/etc/trin/{svc}.conf":
                problem(rel, f"--config {conf} is not /etc/trin/{svc}.conf")
            if not os.path.exists(os.path.join(root, f"deploy/config/{svc}.conf")):
                problem(rel, f"deploy/config/{svc}.conf (its example) does not exist")
        if one.get("StateDirectory") != f"trin/{svc}":
            problem(rel, f"StateDirectory must be trin/{svc}")
        if one.get("ConfigurationDirectory") != "trin":
            problem(rel, "ConfigurationDirectory must be trin")
        for k, v in HARDENING.items():
            if one.get(k) != v:
                problem(rel, f"{k}={v} missing (hardening)")
        if "trin.target" not in " ".join(u.get("Install", {}).get("WantedBy", [])):
            problem(rel, "not WantedBy=trin.target")
    target = read_unit(os.path.join(d, "trin.target")) if os.path.exists(
        os.path.join(d, "trin.target")) else {}
    wants = " ".join(target.get("Unit", {}).get("Wants", []))
    for svc in SERVICES:
        if f"trin-{svc}.service" not in wants:
            problem("deploy/systemd/trin.target", f"does not want trin-{svc}.service")

    sa = shutil.which("systemd-analyze")
    if not sa:
        print("check_deploy: systemd-analyze not installed: units parsed, not verified")
        return
    # verify wants ExecStart to exist: the same units pointing at the built binaries.
    with tempfile.TemporaryDirectory() as tmp:
        names = []
        for f in sorted(os.listdir(d)):
            if f.endswith((".service", ".target")):
                text = open(os.path.join(d, f)).read()
                for svc in SERVICES:
                    text = text.replace(f"/usr/local/bin/trin-{svc} ", binaries[svc] + " ")
                open(os.path.join(tmp, f), "w").write(text)
                names.append(os.path.join(tmp, f))
        r = subprocess.run([sa, "verify", "--man=no"] + names, capture_output=True, text=True,
                           cwd=tmp, timeout=120)
        out = (r.stdout + r.stderr).strip()
        if r.returncode != 0 or out:
            problem("deploy/systemd", f"systemd-analyze verify: {out.replace(tmp + '/', '')}")
        # The hardening as systemd scores it (0 = locked down, 10 = exposed).
        for f in names:
            if not f.endswith(".service"):
                continue
            r = subprocess.run([sa, "security", "--offline=true", "--no-pager", f],
                               capture_output=True, text=True, cwd=tmp, timeout=120)
            m = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", r.stdout)
            if not m:
                print(f"check_deploy: systemd-analyze security gave no score for "
                      f"{os.path.basename(f)}: hardening not scored")
            elif float(m.group(1)) > MAX_EXPOSURE:
                problem(f"deploy/systemd/{os.path.basename(f)}",
                        f"systemd-analyze security scores its exposure {m.group(1)}, above "
                        f"{MAX_EXPOSURE}: hardening was lost")


# ---- README ----------------------------------------------------------------------


def check_readme(root, settings):
    text = open(os.path.join(root, "README.md")).read()
    m = re.search(r"^## Operating trin\n(.*?)(?=^## )", text + "\n## ", re.M | re.S)
    if not m:
        problem("README.md", "no '## Operating trin' section")
        return
    sec = m.group(1)
    for svc in SERVICES:
        row = next((l for l in sec.splitlines() if l.startswith("|") and f"trin-{svc}" in l), "")
        if not row:
            problem("README.md Operating trin", f"no ports row for trin-{svc}")
            continue
        for k in ("endpoint", "pub-endpoint"):
            hp = parse_tcp(settings[svc][k]["default"])
            if hp and str(hp[1]) not in row:
                problem("README.md Operating trin", f"trin-{svc}'s {k} port {hp[1]} is not in "
                                                    f"its row")
    for f in ("docker-compose.yml", "deploy/Dockerfile", "deploy/systemd", "deploy/config"):
        if f not in sec:
            problem("README.md Operating trin", f"does not point to {f}")


# ---- rehearsal: the compose environment, for real, on this machine ---------------


def free_offset(ports):
    for _ in range(200):
        off = 20000 + int.from_bytes(os.urandom(2), "big") % 30000
        off -= off % 100
        ok = True
        for p in ports:
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", p + off))
            except OSError:
                ok = False
            finally:
                s.close()
            if not ok:
                break
        if ok:
            return off
    sys.exit("check_deploy: no free ports for the rehearsal")


class Postgres:
    """A throw-away PostgreSQL server set up as the compose file's `postgres`
    container is: deploy/docker/postgres-init.sh run by the superuser with
    TRIN_DB_PASSWORD, password (scram) authentication over TCP, so the
    services reach it with the compose file's URIs and PGPASSWORD."""

    def __init__(self, root, port, password):
        self.root, self.port, self.password = root, port, password
        self.dir, self.bin, self.run = None, None, []

    def start(self):
        """None when running, else why not (the rehearsal then uses SQLite)."""
        bins = [d for d in glob.glob("/usr/lib/postgresql/*/bin")
                if all(os.access(os.path.join(d, x), os.X_OK)
                       for x in ("initdb", "pg_ctl", "psql"))]
        if not bins:
            return "no PostgreSQL server here (Debian's postgresql: deploy/install-deps.sh)"
        self.bin = sorted(bins, key=lambda d: [int(x) for x in re.findall(r"\d+", d)])[-1]
        self.dir = tempfile.mkdtemp(prefix="trin-deploy-pg-")
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run the server as"
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.run = ["runuser", "-u", "postgres", "--"]
        init = os.path.join(self.dir, "init.sh")
        shutil.copy(os.path.join(self.root, "deploy/docker/postgres-init.sh"), init)
        os.chmod(init, 0o755)
        steps = [
            [os.path.join(self.bin, "initdb"), "-D", os.path.join(self.dir, "data"),
             "-U", "postgres",
             "--auth-local=trust", "--auth-host=scram-sha-256", "--locale=C", "-E", "UTF8", "-N"],
            [os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.dir, "data"), "-l",
             os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-o",
             f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
            ["env", "POSTGRES_USER=postgres", f"TRIN_DB_PASSWORD={self.password}",
             f"PGHOST={self.dir}", f"PGPORT={self.port}",
             f"PATH={self.bin}:/usr/bin:/bin", "sh", init],
        ]
        for i, cmd in enumerate(steps):
            r = subprocess.run(self.run + cmd, capture_output=True, text=True, timeout=120,
                               cwd=self.dir)
            if r.returncode != 0:
                out = (r.stderr + r.stdout).strip()
                if i < 2:
                    return f"{os.path.basename(cmd[0])} failed: {out[-500:]}"
                problem("deploy/docker/postgres-init.sh", f"failed: {out[-1500:]}")
                return "its init script failed"
        return None

    def stop(self):
        pid = os.path.join(self.dir or "", "data", "postmaster.pid")
        if self.dir and self.bin and os.path.exists(pid):
            subprocess.run(self.run + [os.path.join(self.bin, "pg_ctl"), "-D",
                                       os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=120)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


def follow_through(tmp, resolved, procs, trinctl, move, token):
    """An operator's admin key, registered as README says; a project made on
    lifecycle must reach the aggregator's feed through the services' CURVE
    links (each follows with its own key, registered as role service)."""
    keys = os.path.join(tmp, "keys")
    admin = os.path.join(tmp, "admin")
    env = clean_env()
    for args in (["key", "new", admin],
                 ["key", "register", admin + ".pub", "--registry", os.path.join(keys, "registry"),
                  "--org", "ops", "--role", "admin", "--name", "operator"]):
        r = subprocess.run([trinctl] + args, env=env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            problem("rehearsal admin key", f"trinctl {args[0]} {args[1]}: {r.stderr.strip()}")
            return
    ep = move("lifecycle", resolved["lifecycle"]["endpoint"]).replace("0.0.0.0", "127.0.0.1")
    base = [trinctl, "--endpoint", ep, "--key", admin, "--peer-keys", keys]
    for args in (["org", "create", "--id", "DEPLOY", "--name", "Deploy test", "--kind", "client"],
                 ["project", "create", "--id", "DEPLOY-1", "--name", "Rehearsal", "--client",
                  "DEPLOY", "--kind", "renovation", "--start", "2026-01-05"]):
        r = subprocess.run(base + args, env=env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            problem("rehearsal lifecycle", f"trinctl {' '.join(args[:2])}: {r.stderr.strip()}")
            return
    addr = move("aggregator", resolved["aggregator"]["http-address"])
    url = f"http://{addr}/api/v1/status.csv"
    body = ""
    # Readiness, not timing: ask until the row is there or the aggregator is gone.
    for _ in range(120):
        if procs["aggregator"].poll() is not None:
            break
        try:
            req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
            body = urllib.request.urlopen(req, timeout=10).read().decode()
        except (OSError, urllib.error.URLError) as e:
            body = str(e)
        if "DEPLOY-1" in body:
            break
        time.sleep(0.5)
    if "DEPLOY-1" not in body:
        problem("rehearsal aggregator", f"project DEPLOY-1 never reached {url}: {body[:300]}")
        return
    through_gateway(resolved, procs, trinctl, move, admin, keys, url, token)


def http(method, url, token=None, body=None):
    """(status, text) of one HTTP request; status 0 when nothing answered."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, method=method, headers=headers,
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (OSError, urllib.error.URLError) as e:
        return 0, str(e)


def feed_row(text, project):
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r.get("project_id") == project]
    return rows[0] if rows else None


def through_gateway(resolved, procs, trinctl, move, admin, keys, feed_url, feed_token):
    """The quick start's curl lines in the compose layout: the operator makes
    a person's token at the gateway (its ROUTER, over CURVE with the admin
    key); with it, a dispute opened over HTTP reaches lifecycle through the
    gateway's own key (role gateway, acting as that person) and shows in the
    aggregator's row of the project. A request without a token is refused."""
    gw = move("gateway", resolved["gateway"]["endpoint"]).replace("0.0.0.0", "127.0.0.1")
    r = subprocess.run([trinctl, "--json", "--endpoint", gw, "--key", admin, "--peer-keys", keys,
                        "token", "create", "--service", "gateway", "--org", "DEPLOY",
                        "--scope", "api:write", "--role", "writer", "--person", "Rehearsal Writer"],
                       env=clean_env(), capture_output=True, text=True, timeout=60)
    try:
        person = json.loads(r.stdout)["token"]
    except (ValueError, KeyError, TypeError):
        problem("rehearsal gateway", f"trinctl token create --service gateway: exit {r.returncode}: "
                                     f"{(r.stderr or r.stdout).strip()[:500]}")
        return
    base = "http://" + move("gateway", resolved["gateway"]["http-addr"])
    status, text = http("GET", base + "/healthz")
    if status != 200:
        problem("rehearsal gateway", f"GET /healthz answered {status}: {text[:300]}")
    status, text = http("GET", base + "/api/v1/projects/DEPLOY-1")
    if status != 401:
        problem("rehearsal gateway", f"GET /api/v1/projects/DEPLOY-1 without a token answered "
                                     f"{status}, not 401: {text[:300]}")
    dispute = {"dispute_id": "DEPLOY-1-T1", "title": "Rehearsal dispute", "amount_ore": "100000000",
               "date": "2026-02-02", "raised_by": "DEPLOY"}
    status, text = http("POST", base + "/api/v1/projects/DEPLOY-1/disputes", person, dispute)
    if status // 100 != 2:
        problem("rehearsal gateway", f"POST /api/v1/projects/DEPLOY-1/disputes answered {status}: "
                                     f"{text[:500]}")
        return
    row = None
    # Readiness, not timing: ask until the feed counts the dispute.
    for _ in range(120):
        if procs["aggregator"].poll() is not None:
            break
        status, text = http("GET", feed_url, feed_token)
        row = feed_row(text, "DEPLOY-1") if status == 200 else None
        if row and row.get("open_disputes") == "1":
            return
        time.sleep(0.5)
    problem("rehearsal gateway", f"the dispute opened through the gateway never reached the "
                                 f"feed's DEPLOY-1 row: {row or text[:300]}")


def rehearse(root, doc, resolved, binaries, trinctl, sample):
    services = doc["services"]
    ports = {PG_PORT}
    for svc, values in resolved.items():
        for k, v in values.items():
            if isinstance(v, str):
                ports.update(int(p) for p in re.findall(r":(\d{4,5})$", v))
    off = free_offset(sorted(ports))
    pg = Postgres(root, PG_PORT + off, sample["TRIN_DB_PASSWORD"])
    env_example = read_env_example(os.path.join(root, "deploy/docker/env.example"))
    tmp = tempfile.mkdtemp(prefix="trin-deploy-")
    keys_cmd = services["keys"]["command"]
    rest, pairs = keys_cmd[1:], []
    while rest and rest[0].startswith("--"):
        pairs.append(rest[:2])
        rest = rest[2:]
    # --owner trin: that user exists in the image, not here. KEYS and STATE
    # (rest[0], rest[1]) become tmp/keys and tmp/state.
    opts = [x for p in pairs if p[0] != "--owner" for x in p]
    keys_dir = rest[0]

    def local(path):
        if path == keys_dir or path.startswith(keys_dir + "/"):
            return os.path.join(tmp, "keys") + path[len(keys_dir):]
        return path

    def move(svc, v):
        if re.match(r"^postgres(ql)?://", v):
            return re.sub(r"@[^:/@]+(:\d+)?/", f"@127.0.0.1:{PG_PORT + off}/", v)
        v = re.sub(r"^tcp://[^:/]+:(\d+)$",
                   lambda m: f"tcp://127.0.0.1:{int(m.group(1)) + off}", v)
        v = re.sub(r"^0\.0\.0\.0:(\d+)$", lambda m: f"127.0.0.1:{int(m.group(1)) + off}", v)
        if v.startswith(STATE + "/"):
            return os.path.join(tmp, "state", svc) + v[len(STATE):]
        return local(v)

    procs, logs = {}, {}
    try:
        why = pg.start()
        if why:
            print(f"check_deploy: rehearsal with SQLite stores: {why}")
            if problems:
                return "SQLite"
        # The keys container's own command, with its folders moved here.
        env = clean_env({"TRINCTL": trinctl})
        r = subprocess.run(["bash", os.path.join(root, "deploy/trin-init-keys.sh")] + opts +
                           [os.path.join(tmp, "keys"), os.path.join(tmp, "state")] + rest[2:],
                           env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            problem("rehearsal trin-init-keys", r.stderr.strip() or r.stdout.strip())
            return "SQLite" if why else "PostgreSQL"
        again = subprocess.run(["bash", os.path.join(root, "deploy/trin-init-keys.sh")] + opts +
                               [os.path.join(tmp, "keys"), os.path.join(tmp, "state")] + rest[2:],
                               env=env, capture_output=True, text=True, timeout=120)
        if again.returncode != 0 or again.stdout.strip():
            problem("rehearsal trin-init-keys", "a second run is not a no-op: "
                    + (again.stderr + again.stdout).strip())
        # A role it does not know is refused before anything is made.
        bad = subprocess.run(["bash", os.path.join(root, "deploy/trin-init-keys.sh"),
                              os.path.join(tmp, "bad-keys"), os.path.join(tmp, "bad-state"),
                              "gateway:admin"], env=env, capture_output=True, text=True,
                             timeout=120)
        want = "'gateway:admin': the role after ':' must be service or gateway"
        if bad.returncode != 2 or want not in bad.stderr or \
                os.path.exists(os.path.join(tmp, "bad-state", "gateway")):
            problem("rehearsal trin-init-keys", f"gateway:admin: exit {bad.returncode}, "
                                                f"{bad.stderr.strip()!r}; wanted exit 2 and "
                                                f"{want!r}, nothing made")
        for svc in resolved:
            kf = os.path.join(tmp, "state", svc, "curve.key")
            if not os.path.exists(kf) or os.stat(kf).st_mode & 0o077:
                problem("rehearsal trin-init-keys", f"{svc}'s key is missing or not 0600")
        r = subprocess.run([trinctl, "--json", "key", "list", "--registry",
                            os.path.join(tmp, "keys", "registry")],
                           env=clean_env(), capture_output=True, text=True, timeout=60)
        try:
            roles = {k.get("name"): k.get("role") for k in json.loads(r.stdout)}
        except (ValueError, AttributeError):
            roles = {}
            problem("rehearsal trin-init-keys", f"trinctl key list: {r.stderr.strip()}")
        for svc in resolved:
            want = KEY_ROLE.get(svc, "service")
            if roles and roles.get(f"trin-{svc}") != want:
                problem("rehearsal trin-init-keys", f"trin-{svc}'s key is registered as "
                                                    f"{roles.get(f'trin-{svc}')}, not {want}")

        for svc, values in resolved.items():
            env = clean_env()
            for var, raw in as_dict(services[svc].get("environment")).items():
                if not var.startswith("TRIN_"):
                    env[var] = interpolate(var, raw, env_example, sample)  # PGPASSWORD
                    continue
                key = env_to_key(settings_cache[svc], var)
                v = values.get(key, "")
                if key == "store" and why:
                    v = f"sqlite:{os.path.join(tmp, 'state', svc, svc + '.db')}"
                env[var] = move(svc, v)
            logs[svc] = open(os.path.join(tmp, f"{svc}.log"), "w+")
            procs[svc] = subprocess.Popen([binaries[svc]], env=env, stdout=logs[svc],
                                          stderr=subprocess.STDOUT,
                                          cwd=os.path.join(tmp, "state", svc))
        for svc, values in resolved.items():
            test = [move(svc, a) for a in values["_healthcheck"][1:]]
            test[0] = trinctl if test[0] == "trinctl" else test[0]
            ok, last = False, None
            # Readiness, not timing: ask until it answers or the process is gone.
            for _ in range(60):
                if procs[svc].poll() is not None:
                    break
                last = subprocess.run(test, env=clean_env(), capture_output=True, text=True,
                                      timeout=60)
                if last.returncode == 0:
                    ok = True
                    break
                time.sleep(0.5)
            if not ok:
                logs[svc].seek(0)
                problem(f"rehearsal {svc}", "healthcheck never passed: "
                        + (last.stderr.strip() if last else "")
                        + f"\n--- trin-{svc} log ---\n" + logs[svc].read()[-3000:])
                continue
            # Without a registered key nobody gets in (CURVE, not insecure).
            ep = test[test.index("--endpoint") + 1]
            stranger = os.path.join(tmp, f"stranger-{svc}")
            subprocess.run([trinctl, "key", "new", stranger], env=clean_env(),
                           capture_output=True, timeout=60)
            srv = test[test.index("--server-key") + 1]
            for args in (["--endpoint", ep, "--timeout", "700", "ping"],
                         ["--endpoint", ep, "--timeout", "700", "--key", stranger,
                          "--server-key", srv, "ping"]):
                r = subprocess.run([trinctl] + args, env=clean_env(), capture_output=True,
                                   text=True, timeout=60)
                if r.returncode == 0:
                    problem(f"rehearsal {svc}", f"answered `trinctl {' '.join(args)}` "
                                                "without a registered key")
        if not problems:
            follow_through(tmp, resolved, procs, trinctl, move, sample_token)
        # The secrets reach the processes by environment: none is in any
        # process's arguments, which every local user can read (ps).
        secrets = {v for k, v in sample.items() if v and re.search(r"TOKEN|PASSWORD", k)}
        for svc, p in procs.items():
            try:
                with open(f"/proc/{p.pid}/cmdline", "rb") as f:
                    args = f.read().decode(errors="replace").split("\0")
            except OSError:
                continue  # no /proc here, or the process is gone (reported below)
            for a in args:
                if any(sec in a for sec in secrets):
                    problem(f"rehearsal {svc}", f"a secret is in its arguments ({a.split('=')[0]}"
                                                "=...): ps shows it to every local user")
        return "SQLite" if why else "PostgreSQL"
        for svc, p in procs.items():
            if p.poll() is not None:
                logs[svc].seek(0)
                problem(f"rehearsal {svc}", f"exited with {p.returncode}:\n"
                        + logs[svc].read()[-3000:])
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for svc, p in procs.items():
            try:
                rc = p.wait(timeout=30)
                if rc != 0 and not any(x.startswith(f"rehearsal {svc}") for x in problems):
                    logs[svc].seek(0)
                    problem(f"rehearsal {svc}", f"SIGTERM: exit status {rc}:\n"
                            + logs[svc].read()[-3000:])
            except subprocess.TimeoutExpired:
                p.kill()
                problem(f"rehearsal {svc}", "did not stop within 30 s of SIGTERM")
        for f in logs.values():
            f.close()
        pg.stop()
        if os.environ.get("TRIN_DEPLOY_KEEP"):
            print(f"check_deploy: rehearsal files kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


settings_cache = {}
PG_PORT = 5432
sample_token = "rehearsal-operator-token"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--bin", action="append", default=[], help="SERVICE=PATH")
    ap.add_argument("--trinctl", required=True)
    ap.add_argument("--rehearse", action="store_true")
    a = ap.parse_args()
    binaries = {k: os.path.abspath(v) for k, v in (b.split("=", 1) for b in a.bin)}
    a.trinctl = os.path.abspath(a.trinctl)
    for svc in SERVICES:
        if svc not in binaries:
            sys.exit(f"check_deploy: --bin {svc}=PATH missing")
    settings = {svc: settings_of(svc, binaries[svc]) for svc in SERVICES}
    settings_cache.update(settings)
    root = a.root
    sample = {"TRIN_PG_SUPERUSER_PASSWORD": "pg-secret", "TRIN_DB_PASSWORD": "db-secret",
              "TRIN_FEED_OPERATOR_TOKEN": sample_token,
              "TRIN_WEBHOOK_OPERATOR_TOKEN": "rehearsal-webhook-token"}

    doc, resolved = check_compose(root, settings, sample)
    check_image(root, list(binaries.values()) + [a.trinctl])
    check_configs(root, settings, binaries)
    check_systemd(root, binaries)
    check_readme(root, settings)
    rehearsed = None
    if a.rehearse and not problems and doc:
        rehearsed = rehearse(root, doc, resolved, binaries, a.trinctl, sample)
    elif a.rehearse:
        print("check_deploy: rehearsal skipped: fix the problems above first")

    if problems:
        print(f"check_deploy: {len(problems)} problem(s) in the deployment files:")
        for p in problems:
            print("  " + p)
        return 1
    print("check_deploy: docker-compose.yml, deploy/Dockerfile, deploy/config, deploy/systemd "
          "and README agree with the binaries"
          + (f"; rehearsed with {rehearsed}: keys made and registered, five services and the "
             "gateway up over CURVE, every healthcheck passed, strangers refused, a project "
             "reached the feed, and a dispute opened with a person's token at the gateway "
             "reached it too"
             if rehearsed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

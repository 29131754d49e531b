#!/usr/bin/env bash
# Loads a small demo portfolio into running trin services through trinctl:
# three partnerships shaped like the seeds' fsbHJEM, &os and LIVA (each
# closes the price at a different point), projects in every stage, budgets
# with MOLIO references and drift, resident surveys over rounds, a pause, a
# dispute up the ladder, defects, and projects outside any partnership as
# the baseline. All names and figures are fictional demo data (the index
# values too: they are not Danmarks Statistik's BYG43).
#
# Safe to run again, and to stop: it counts the trinctl calls it has made
# in $TRIN_DEMO_STATE (default data/demo-portfolio.state, beside the
# quick start's stores), so a run stopped midway (Ctrl-C, a crash, a closed
# terminal) is resumed by the next one from the call it was stopped in, and
# a finished portfolio is left as it is. Each call is one request, applied
# whole or not at all; only the one in flight when the run stopped may have
# been applied, so its refusal on the resumed run counts as done. Replaying
# everything instead would not do: a pause or an escalation made twice is
# two in the project's history.
set -euo pipefail
TRINCTL="${TRINCTL:-build/tools/trinctl/trinctl}"
STATE="${TRIN_DEMO_STATE:-data/demo-portfolio.state}"
# The portfolio's size: six hand-made projects and the generated cases
# (fsbHJEM 4 + 16, &os 10 + 20 + 1 new build, LIVA 3).
FSB_H=4 FSB_U=16 OS_H=10 OS_U=20 LIVA_H=3
expected=$((6 + FSB_H + FSB_U + OS_H + OS_U + 1 + LIVA_H))
step=0 done_steps=0
t() {
  step=$((step + 1))
  [ "$step" -le "$done_steps" ] && return 0
  if [ "$step" -eq "$((done_steps + 1))" ] && [ "$done_steps" -gt 0 ]; then
    # the call the stopped run was in: refused (exit 1) = it was applied
    local rc=0
    "$TRINCTL" "$@" >/dev/null 2>"$tmp/last-error" || rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then cat "$tmp/last-error" >&2; return "$rc"; fi
  else
    "$TRINCTL" "$@" >/dev/null
  fi
  echo "$step" >"$STATE.new" && mv -f "$STATE.new" "$STATE"
}
# The demo projects the services hold (every project id of the demo starts
# with one of its partnerships' or the baseline's prefixes).
count_projects() {
  "$TRINCTL" project list 2>/dev/null | grep -cE '^(FSB|OS|LIVA|KAB)-' || true
}
# Waits until a command succeeds (services learn of each other by events,
# a few milliseconds behind).
wait_for() {
  for _ in $(seq 1 100); do
    if "$TRINCTL" "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "demo: gave up waiting for: trinctl $*" >&2
  return 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$(dirname "$STATE")"
there=0
if "$TRINCTL" org list 2>/dev/null | grep -q '^demo-fsb\b'; then there=$(count_projects); fi
recorded=$(cat "$STATE" 2>/dev/null || true)
if [ "$recorded" = done ] && [ "$there" -gt 0 ]; then
  echo "demo portfolio already loaded ($there projects)"
  exit 0
elif [ "$there" -eq 0 ] && ! "$TRINCTL" org list 2>/dev/null | grep -q '^demo-'; then
  rm -f "$STATE"  # the services start empty: whatever it says is of other stores
elif [ -n "$recorded" ] && [ "$recorded" -eq "$recorded" ] 2>/dev/null; then
  done_steps=$recorded
  echo "demo portfolio: $there of $expected projects were there (a load stopped after" \
    "$done_steps steps); loading the rest"
elif [ "$there" -ge "$expected" ]; then
  echo "demo portfolio already loaded ($there projects)"
  echo done >"$STATE"
  exit 0
else
  echo "demo portfolio: $there of $expected projects are there, but $STATE, which says" \
    "how far a load got, is missing: the rest cannot be loaded safely. Stop the services," \
    "remove their stores (./data for the quick start) and run again." >&2
  exit 1
fi

# ---- organisations and partnerships (lifecycle) -----------------------------
t org create --id demo-fsb --name "fsb (demo)" --kind client
t org create --id demo-kab --name "KAB (demo)" --kind client
t org create --id demo-civica --name "Civica (demo)" --kind client
t org create --id demo-ark --name "Tegnestue Vest (demo)" --kind advisor
t org create --id demo-ing --name "Ingeniørhuset (demo)" --kind advisor
t org create --id demo-te1 --name "Totalentreprise Nord (demo)" --kind contractor
t org create --id demo-te2 --name "Byggeselskabet Syd (demo)" --kind contractor
t org create --id demo-fg --name "Følgegruppen Bøgeparken (demo)" --kind resident_committee

t partnership create --id fsbHJEM --name "fsbHJEM" --client demo-fsb \
  --framework-start 2021-06-01 --framework-years 4 --horizon-years 10 \
  --price-closing udbudsprojekt --abt-start trin3 --frame "3.000.000.000" \
  --trivial-threshold "50.000"
t partnership create --id os --name "&os" --client demo-kab \
  --framework-start 2022-01-01 --framework-years 4 --horizon-years 10 \
  --price-closing projektforslag --abt-start trin3 --frame "6.000.000.000" \
  --trivial-threshold "25.000"
t partnership create --id LIVA --name "LIVA" --client demo-civica \
  --framework-start 2022-09-01 --framework-years 4 --horizon-years 10 \
  --price-closing myndighedsprojekt --abt-start trin1 --frame "3.000.000.000" \
  --trivial-threshold "50.000"
for p in fsbHJEM os LIVA; do
  t partnership add-member --partnership $p --org demo-ark --role advisor
  t partnership add-member --partnership $p --org demo-ing --role advisor
done
t partnership add-member --partnership fsbHJEM --org demo-te1 --role contractor
t partnership add-member --partnership os --org demo-te2 --role contractor
t partnership add-member --partnership LIVA --org demo-te1 --role contractor

# ---- projects ------------------------------------------------------------------
t project create --id FSB-101 --name "Bøgeparken, helhedsplan" --partnership fsbHJEM \
  --kind helhedsplan --department "Afd. 12 Bøgeparken" --municipality København \
  --dwellings 312 --area 24800 --start 2021-09-01
t project advance FSB-101 --to trin1 --date 2021-11-01
t project advance FSB-101 --to trin2 --date 2022-06-01

t project create --id FSB-207 --name "Tagudskiftning Solgården" --partnership fsbHJEM \
  --kind maintenance --municipality Frederiksberg --dwellings 48 --area 3900 --fast-track --start 2024-02-01
t project advance FSB-207 --to trin1_2 --date 2024-03-01
t project close-price FSB-207 --date 2024-06-01 --reference "fast pris, tilbud"
t project advance FSB-207 --to trin3 --date 2024-06-15
t milestone set FSB-207 --name handover --baseline 2025-01-31 --forecast 2025-03-15

t project create --id OS-12 --name "Fortunen, renovering" --partnership os \
  --kind helhedsplan --department "Lyngby Boligforening afd. 3" --municipality Lyngby-Taarbæk \
  --dwellings 186 --area 15100 --start 2022-04-01
t project advance OS-12 --to trin1 --date 2022-05-01
t project advance OS-12 --to trin2 --date 2023-01-15
t project pause OS-12 --reason resident_democracy --date 2023-05-01 --note "Afventer afdelingsmøde"
t project resume OS-12 --date 2023-08-20
t milestone set OS-12 --name handover --baseline 2026-12-01 --forecast 2027-02-01
t dispute open OS-12 --id OS-12-T1 --title "Skjulte skader i bærende vægge" \
  --amount "640.000" --date 2023-10-02 --raised-by demo-te2
t dispute escalate OS-12-T1 --level 2 --date 2023-10-20 --by demo-te2 --note "Ikke løst i projektgruppen"

t project create --id LIVA-3 --name "Nybyg Kildeparken" --partnership LIVA \
  --kind new_build --municipality Odense --dwellings 64 --area 5200 --start 2023-01-10
t project advance LIVA-3 --to trin1 --date 2023-03-01
t project create --id LIVA-9 --name "Forundersøgelse Vestervang" --partnership LIVA \
  --kind helhedsplan --municipality Odense --dwellings 140 --area 11000 --start 2025-08-01

t project create --id KAB-X1 --name "Traditionel renovering Hyldebærvej" --client demo-kab \
  --kind renovation --municipality Gladsaxe --dwellings 96 --area 7600 --start 2022-03-01
t project advance KAB-X1 --to trin1 --date 2022-06-01
t project advance KAB-X1 --to trin2 --date 2023-01-01
t project pause KAB-X1 --reason landsbyggefonden --date 2023-06-01 --note "Afventer Landsbyggefonden"

# ---- budgets: economic models, index, Skema A and B (budget) --------------------
wait_for budget list FSB-101
wait_for budget list KAB-X1
t budget model fsbHJEM --rates "projektleder=950;kalkulator=725,50" --management-fee-bp 850 \
  --risk-bp 300 --advisor-fee-bp 1000 --margin-bp 500 --molio-deduction-bp 400
t budget model os --rates "projektleder=925" --management-fee-bp 800 --risk-bp 350 \
  --advisor-fee-bp 1100 --margin-bp 450 --molio-deduction-bp 350
t budget model LIVA --rates "projektleder=975" --management-fee-bp 900 --risk-bp 250 \
  --advisor-fee-bp 950 --margin-bp 550 --molio-deduction-bp 500
cat > "$tmp/index.csv" <<'CSV'
date;value
2021-01-01;96,2
2021-04-01;97,5
2021-07-01;98,8
2021-10-01;100,0
2022-01-01;102,4
2022-04-01;105,9
2022-07-01;108,1
2022-10-01;109,0
2023-01-01;109,6
2023-04-01;110,2
2023-07-01;110,9
2023-10-01;111,3
2024-01-01;111,8
2024-04-01;112,6
2024-07-01;113,1
2024-10-01;113,5
2025-01-01;114,2
2025-04-01;114,9
2025-07-01;115,3
2025-10-01;115,8
CSV
t index import "$tmp/index.csv" --series BYG43

# FSB-101: Skema A in trin 1, Skema B at the price-closing point; approving
# Skema B closes the price, and lifecycle lets the project into trin 3.
t budget create FSB-101-A --project FSB-101 --kind skema_a --date 2021-12-01
t budget line FSB-101-A --line tag --category craft --amount "38.000.000" --building-part Tag \
  --molio-reference "40.500.000"
t budget line FSB-101-A --line facade --category craft --amount "52.000.000" --building-part Facade \
  --molio-reference "53.000.000"
t budget line FSB-101-A --line vvs --category craft --amount "31.000.000" --building-part VVS
t budget line FSB-101-A --line raadgivning --category advisor_fees --amount "12.100.000"
t budget line FSB-101-A --line styring --category management_fee --amount "10.285.000"
t budget line FSB-101-A --line risiko --category risk_pool --amount "3.630.000"
t budget submit FSB-101-A --date 2021-12-10
t budget approve FSB-101-A --date 2022-01-20
t budget scope FSB-101 --id FSB-101-S1 --description "Altaner tilvalgt af afdelingsmødet" \
  --amount "4.200.000" --date 2022-09-01
t budget option FSB-101 --id FSB-101-O1 --description "Genbrug af eksisterende tagspær" \
  --saving "1.100.000" --date 2022-10-01
t budget decide FSB-101-O1 --decision accepted --by demo-fsb --date 2022-10-15
t budget create FSB-101-B --project FSB-101 --kind skema_b --date 2023-01-15
t budget line FSB-101-B --line tag --category craft --amount "40.100.000" --building-part Tag \
  --molio-reference "40.500.000"
t budget line FSB-101-B --line facade --category craft --amount "55.900.000" --building-part Facade \
  --molio-reference "53.000.000"
t budget line FSB-101-B --line vvs --category craft --amount "33.800.000" --building-part VVS
t budget line FSB-101-B --line altaner --category craft --amount "4.200.000" --building-part Altaner
t budget line FSB-101-B --line raadgivning --category advisor_fees --amount "13.400.000"
t budget line FSB-101-B --line styring --category management_fee --amount "11.390.000"
t budget line FSB-101-B --line risiko --category risk_pool --amount "4.020.000"
t budget submit FSB-101-B --date 2023-01-20
t budget approve FSB-101-B --date 2023-02-15
t budget rent FSB-101 --loan-share-bp 8000 --interest-bp 350 --term-years 30 --area 24800 \
  --rent 850 --max-rent 1050
for _ in $(seq 1 100); do
  if "$TRINCTL" --json project show FSB-101 | grep -q '"price_closed": *true'; then break; fi
  sleep 0.1
done
t project advance FSB-101 --to trin3 --date 2023-03-01
t milestone set FSB-101 --name handover --baseline 2025-05-01 --forecast 2025-06-15 --actual 2025-06-20
t project advance FSB-101 --to handover --date 2025-06-20
t defect report FSB-101 --id FSB-101-M1 --description "Utætte altandøre, blok C" \
  --severity major --found-at handover --reported 2025-06-20 --due 2025-09-01 --cost-bearer demo-te1
t defect report FSB-101 --id FSB-101-M2 --description "Manglende fuger i trappeopgang" \
  --severity minor --found-at handover --reported 2025-06-20 --due 2025-08-01 --cost-bearer demo-te1
t defect fix FSB-101-M2 --date 2025-07-10

# OS-12 and the project outside any partnership: Skema A only.
t budget create OS-12-A --project OS-12 --kind skema_a --date 2022-12-01
t budget line OS-12-A --line klimaskaerm --category craft --amount "61.500.000" \
  --building-part Klimaskærm --molio-reference "64.000.000"
t budget line OS-12-A --line installationer --category craft --amount "24.000.000"
t budget line OS-12-A --line raadgivning --category advisor_fees --amount "9.400.000"
t budget submit OS-12-A --date 2022-12-15
t budget approve OS-12-A --date 2023-01-10
t budget create KAB-X1-A --project KAB-X1 --kind skema_a --date 2022-11-01
t budget line KAB-X1-A --line renovering --category craft --amount "41.000.000"
t budget line KAB-X1-A --line raadgivning --category advisor_fees --amount "5.300.000"
t budget submit KAB-X1-A --date 2022-11-15
t budget approve KAB-X1-A --date 2022-12-01

# ---- resident surveys over rounds (survey) --------------------------------------
wait_for survey list --project OS-12
cat > "$tmp/statements.csv" <<'CSV'
key,text,common
TRUST_ECONOMY,Jeg har tillid til økonomien i projektet,yes
INFORMED,Jeg føler mig godt informeret om byggeriet,yes
LISTENED,Vores ønsker bliver hørt,no
CSV
roles=(residents residents residents residents residents residents
       resident_committee resident_committee resident_committee resident_committee resident_committee
       client client client client client)
make_round() { # file, then three scores per role group: residents, committee, client
  local f=$1
  shift
  echo "respondent;role;TRUST_ECONOMY;INFORMED;LISTENED" > "$f"
  local i=0
  for r in "${roles[@]}"; do
    case $r in
      residents) s="$1;$2;$3" ;;
      resident_committee) s="$4;$5;$6" ;;
      client) s="$7;$8;$9" ;;
    esac
    # spread answers around the group's score so distributions are not flat
    IFS=';' read -r a b c <<< "$s"
    d=$(( (i % 3) - 1 ))
    clamp() { local v=$(( $1 + $2 )); [ $v -lt 1 ] && v=1; [ $v -gt 5 ] && v=5; echo $v; }
    echo "demo-r$i;$r;$(clamp "$a" $d);$(clamp "$b" 0);$(clamp "$c" $(( -d )))" >> "$f"
    i=$((i + 1))
  done
}
t survey create S-OS-12 --project OS-12 --title "Samarbejdsmåling Fortunen" \
  --statements "$tmp/statements.csv" --drop 0,5 --floor 3,0
t survey round S-OS-12 --number 1 --opens 2023-02-01 --closes 2023-02-28
t survey round S-OS-12 --number 2 --opens 2023-09-01 --closes 2023-09-30
t survey round S-OS-12 --number 3 --opens 2024-03-01 --closes 2024-03-31
make_round "$tmp/r1.csv" 4 4 4  4 5 4  4 4 5
make_round "$tmp/r2.csv" 4 3 3  4 4 3  4 4 4
make_round "$tmp/r3.csv" 2 3 3  3 4 3  4 4 4
t survey import "$tmp/r1.csv" --survey S-OS-12 --round 1
t survey import "$tmp/r2.csv" --survey S-OS-12 --round 2
t survey import "$tmp/r3.csv" --survey S-OS-12 --round 3

t survey create S-KAB-X1 --project KAB-X1 --title "Beboertilfredshed Hyldebærvej" \
  --statements "$tmp/statements.csv" --drop 0,5 --floor 3,0
t survey round S-KAB-X1 --number 1 --opens 2023-03-01 --closes 2023-03-31
make_round "$tmp/k1.csv" 3 3 2  3 3 3  4 3 3
t survey import "$tmp/k1.csv" --survey S-KAB-X1 --round 1


# ---- the rest of each portfolio, shaped like the first seed's table --------------
# fsbHJEM: 4-5 supported cases (150-750 mio. kr. each) and 15-20 unsupported
# (2-100 mio.); &os: 10-12 supported (80-750 mio.), 20-30 unsupported (3-75
# mio.) and one new build; LIVA: 3-5 supported (50-500 mio.), Vollsmose.
# Stages, budgets and drift vary deterministically with the case number.
day() { date -u -d "$1 + $2 days" +%F; }
gen_case() { # partnership client municipality id kind mio_kr start_date n
  local ps=$1 client=$2 muni=$3 id=$4 kind=$5 mio=$6 start=$7 n=$8
  local dw=$(( mio * 2 / 3 + 12 ))
  t project create --id "$id" --name "Demo-sag $id" --partnership "$ps" --kind "$kind" \
    --municipality "$muni" --dwellings $dw --area $(( dw * 78 )) --start "$start"
  local stage=$(( n % 6 ))   # 0 pre-study ... 5 inspection
  [ $stage -ge 1 ] && t project advance "$id" --to trin1 --date "$(day "$start" 60)"
  [ $stage -ge 2 ] && t project advance "$id" --to trin2 --date "$(day "$start" 240)"
  wait_for budget list "$id"
  if [ $stage -ge 1 ]; then
    local a_craft=$(( mio * 80 / 100 ))
    t budget create "$id-A" --project "$id" --kind skema_a --date "$(day "$start" 90)"
    t budget line "$id-A" --line haandvaerk --category craft --amount "$a_craft.000.000" \
      --molio-reference "$(( a_craft + a_craft / 20 + 1 )).000.000"
    t budget line "$id-A" --line raadgivning --category advisor_fees --amount "$(( mio / 10 + 1 )).000.000"
    t budget submit "$id-A" --date "$(day "$start" 95)"
    t budget approve "$id-A" --date "$(day "$start" 100)"
  fi
  t milestone set "$id" --name handover --baseline "$(day "$start" 900)" \
    --forecast "$(day "$start" $(( 900 + (n * 17) % 90 - 20 )))"
  if [ $stage -ge 3 ]; then
    # Skema B at the price-closing point: drift between -3 % and +12 %.
    local b_craft=$(( mio * 80 / 100 * (97 + (n * 7) % 16) / 100 ))
    t budget create "$id-B" --project "$id" --kind skema_b --date "$(day "$start" 400)"
    t budget line "$id-B" --line haandvaerk --category craft --amount "$b_craft.000.000" \
      --molio-reference "$(( mio * 80 / 100 + mio * 4 / 100 + 1 )).000.000"
    t budget line "$id-B" --line raadgivning --category advisor_fees --amount "$(( mio / 10 + 1 )).000.000"
    t budget submit "$id-B" --date "$(day "$start" 405)"
    t budget approve "$id-B" --date "$(day "$start" 410)"
    for _ in $(seq 1 100); do
      "$TRINCTL" --json project show "$id" | grep -q '"price_closed": *true' && break
      sleep 0.05
    done
    t project advance "$id" --to trin3 --date "$(day "$start" 420)"
  fi
  [ $stage -ge 4 ] && t project advance "$id" --to handover --date "$(day "$start" 910)"
  [ $stage -ge 5 ] && t project advance "$id" --to inspection_1y --date "$(day "$start" 1275)"
  if [ $(( n % 7 )) -eq 3 ]; then
    t dispute open "$id" --id "$id-T" --title "Uenighed om ekstraarbejder" \
      --amount "$(( 20 + n * 11 )).000" --date "$(day "$start" 120)" --raised-by "$client"
    [ $(( n % 2 )) -eq 1 ] && t dispute escalate "$id-T" --level 2 --date "$(day "$start" 140)" \
      --by "$client"
  fi
  if [ $(( n % 4 )) -eq 1 ] && [ $stage -ge 1 ]; then
    t survey create "S-$id" --project "$id" --title "Samarbejdsmåling $id" \
      --statements "$tmp/statements.csv" --drop 0,5 --floor 3,0
    t survey round "S-$id" --number 1 --opens "$(day "$start" 100)" --closes "$(day "$start" 130)"
    t survey round "S-$id" --number 2 --opens "$(day "$start" 280)" --closes "$(day "$start" 310)"
    local q=$(( 3 + n % 3 ))
    make_round "$tmp/g1.csv" 4 4 4  4 4 4  4 4 4
    make_round "$tmp/g2.csv" $q 4 $q  4 $q 4  4 4 $q
    t survey import "$tmp/g1.csv" --survey "S-$id" --round 1
    t survey import "$tmp/g2.csv" --survey "S-$id" --round 2
  fi
}
n=0
for i in $(seq 1 $FSB_H); do
  n=$((n + 1)); gen_case fsbHJEM demo-fsb København "FSB-H$i" helhedsplan $(( 150 + (i * 173) % 600 )) "$(day 2021-07-01 $(( i * 95 )))" $n
done
for i in $(seq 1 $FSB_U); do
  n=$((n + 1)); gen_case fsbHJEM demo-fsb København "FSB-U$i" renovation $(( 2 + (i * 37) % 98 )) "$(day 2021-07-15 $(( i * 41 )))" $n
done
for i in $(seq 1 $OS_H); do
  n=$((n + 1)); gen_case os demo-kab "$(case $((i % 4)) in 0) echo Greve;; 1) echo Ballerup;; 2) echo Herlev;; *) echo København;; esac)" \
    "OS-H$i" helhedsplan $(( 80 + (i * 131) % 670 )) "$(day 2022-02-01 $(( i * 65 )))" $n
done
for i in $(seq 1 $OS_U); do
  n=$((n + 1)); gen_case os demo-kab København "OS-U$i" renovation $(( 3 + (i * 29) % 72 )) "$(day 2022-02-15 $(( i * 31 )))" $n
done
n=$((n + 1)); gen_case os demo-kab København OS-N1 new_build 420 2023-05-01 $n
for i in $(seq 1 $LIVA_H); do
  n=$((n + 1)); gen_case LIVA demo-civica Odense "LIVA-H$i" helhedsplan $(( 50 + (i * 149) % 450 )) "$(day 2022-10-01 $(( i * 120 )))" $n
done
cases=$(( 6 + n ))

# ---- key figures across organisations (benchmark) ---------------------------------
# Six owners (the three clients and three fictional municipalities) with a
# school and a housing department each, 2022-2024; synthetic values.
{
  echo "property_id;name;owner_org;owner_name;type;gross_area_m2;year_built;municipality;region"
  n=0
  for o in demo-fsb demo-kab demo-civica demo-kom-a demo-kom-b demo-kom-c; do
    n=$((n + 1))
    echo "$o-skole;Skole $n (demo);$o;$o (demo);school;$((4200 + n * 350));$((1955 + n * 4));Demoby $n;Hovedstaden"
    echo "$o-afd;Boligafdeling $n (demo);$o;$o (demo);housing_department;$((9000 + n * 900));$((1968 + n * 3));Demoby $n;Hovedstaden"
  done
} > "$tmp/properties.csv"
{
  echo "property_id;year;cost_maintenance;cost_cleaning;electricity_kwh;heat_kwh;water_litres;indoor_climate_class;anvendelsesgrad_pct;udnyttelsesgrad_pct"
  n=0
  for o in demo-fsb demo-kab demo-civica demo-kom-a demo-kom-b demo-kom-c; do
    n=$((n + 1))
    for y in 2022 2023 2024; do
      k=$((y - 2021))
      for p in skole afd; do
        echo "$o-$p;$y;$((410000 + n * 37000 + k * 12000 + (n * k % 5) * 9000));$((150000 + n * 11000));$((310000 + n * 21000 - k * 6000));$((520000 + n * 33000 - k * 9000));$((2100000 + n * 90000));$((1 + (n + k) % 4));$((62 + n * 3 + k)),5;$((48 + n * 4 - k)),0"
      done
    done
  done
} > "$tmp/measures.csv"
t benchmark import "$tmp/properties.csv" --kind properties
t benchmark import "$tmp/measures.csv" --kind measures
t benchmark org demo-fsb --name "fsb (demo)" --open
t benchmark org demo-kab --name "KAB (demo)" --open
t benchmark org demo-civica --name "Civica (demo)" --open
t benchmark org demo-kom-a --name "Demoby 4 Kommune" --open
t benchmark org demo-kom-b --name "Demoby 5 Kommune" --open

# ---- competitive exposure (IKU, benchmark) --------------------------------------
# Seed 003's municipal ranking: Aalborg's published percentages per main
# account amid 97 synthetic municipalities, 2012-2022 (tests/data/iku,
# docs/benchmark.md). Importing it again replaces the same rows, so the call
# in flight when a run stopped is safe to repeat.
iku_csv="$(cd "$(dirname "$0")/.." && pwd)/tests/data/iku/iku_seed_aalborg.csv"
if [ -f "$iku_csv" ]; then
  t benchmark iku-import "$iku_csv"
else
  step=$((step + 1))  # the same count with or without the file
  echo "demo: $iku_csv is not there: no IKU figures in the demo" >&2
fi

# ---- survey exports as they come (issue 20, item 7) -----------------------------
# fsb follows beboertilfredshed with TeamVaerk (seed 000, Bilag 6): a round
# for Bøgeparken's følgegruppe and residents, exported as SurveyXact and
# Forms write it (question texts as headers, answer words, ';', a BOM, CRLF),
# imported as it is through the survey's saved mapping and the shipped Danish
# five-point scale (`trinctl survey mapping-show S-FSB-101`, docs/survey.md).
wait_for survey list --project FSB-101
t survey create S-FSB-101 --project FSB-101 --title "TeamVaerk-måling Bøgeparken" \
  --statements "$tmp/statements.csv" --drop 0,5 --floor 3,0
t survey round S-FSB-101 --number 1 --opens 2024-04-01 --closes 2024-04-30
printf 'spørgsmål;nøgle\r\n%s\r\n%s\r\n%s\r\n' \
  "Jeg har tillid til økonomien i projektet;TRUST_ECONOMY" \
  "Jeg føler mig godt informeret om byggeriet;INFORMED" \
  "Vores ønsker bliver hørt;LISTENED" > "$tmp/teamvaerk-mapping.csv"
{
  printf '\xef\xbb\xbf"Respondent";"Startet";"Rolle";"Jeg har tillid til økonomien i projektet";'
  printf '"Jeg føler mig godt informeret om byggeriet";"Vores ønsker bliver hørt";"Kommentar"\r\n'
  printf '"tv-1";"2024-04-02 09:12";"Følgegruppe";"Enig";"Meget enig";"Enig";"Godt møde"\r\n'
  printf '"tv-2";"2024-04-02 10:40";"Følgegruppe";"Hverken enig eller uenig";"Enig";"Enig";""\r\n'
  printf '"tv-3";"2024-04-03 18:05";"Beboer";"Uenig";"Enig";"Ved ikke";"Hvornår kommer\r\nstilladset?"\r\n'
  printf '"tv-4";"2024-04-04 07:55";"Beboer";"Enig";"Meget enig";"Hverken enig eller uenig";""\r\n'
  printf '"tv-5";"2024-04-05 20:30";"Beboer";"Meget uenig";"Uenig";"Uenig";""\r\n'
  printf '"tv-6";"2024-04-06 12:00";"Beboer";"Enig";"Enig";"Meget enig";""\r\n'
} > "$tmp/teamvaerk-runde1.csv"
t survey mapping-set S-FSB-101 --respondent-column Respondent --role-column Rolle \
  --comment-column Kommentar --columns "$tmp/teamvaerk-mapping.csv"
t survey import "$tmp/teamvaerk-runde1.csv" --survey S-FSB-101 --round 1 --mapped
# ---- rehousing and moving back (issue 20, item 4; lifecycle) -----------------------
# Seed 000: LIVA's first renovations without rehousing and first moves back.
# FSB-101 rehouses 60 of its 312 households (8 for good), 30 have moved
# back; OS-12, LIVA-9 and LIVA-H1..3 are renovated without rehousing; four
# &os cases rehoused temporarily and some moved back; KAB-X1, outside any
# partnership, rehoused 40 and 12 came back. Enough projects inside
# partnerships to show both rehousing figures in `trinctl benchmark compare`;
# the outside side stays below the minimum group (suppressed, with why).
t project rehousing-plan FSB-101 --households 60
t project rehousing-move FSB-101 --kind temporary --households 52 --date 2022-09-01 \
  --note "Første etape, blok A-C"
t project rehousing-move FSB-101 --kind permanent --households 8 --date 2022-09-15
t project rehousing-move FSB-101 --kind moved_back --households 30 --date 2023-11-01 \
  --note "Første tilbageflytning"
t project rehousing-plan OS-12 --without-rehousing
t project rehousing-plan LIVA-9 --without-rehousing
for i in $(seq 1 $LIVA_H); do t project rehousing-plan "LIVA-H$i" --without-rehousing; done
for i in 1 2 3 4; do
  start=$(day 2022-02-01 $(( i * 65 )))
  t project rehousing-plan "OS-H$i" --households 20
  t project rehousing-move "OS-H$i" --kind temporary --households 20 --date "$(day "$start" 200)"
  t project rehousing-move "OS-H$i" --kind moved_back --households $(( 10 + i * 2 )) \
    --date "$(day "$start" 500)"
done
t project rehousing-plan KAB-X1 --households 40
t project rehousing-move KAB-X1 --kind temporary --households 40 --date 2022-08-01
t project rehousing-move KAB-X1 --kind moved_back --households 12 --date 2023-05-01
# ---- AB18 deadlines (issue 20, item 6; docs/lifecycle.md) --------------------------
# FSB-101, handed over 2025-06-20: its 1-year inspection held, with a defect
# found there (§ 49: claimable until 2030-06-20). OS-12's dispute goes to
# the umpire (level 6) 45 days before the day the demo is loaded, so its
# arbitration deadline (+ 8 weeks) is 11 days ahead: arbitration_deadline_near
# on the status row. The generated cases handed over more than a year ago
# hold no inspection: their 1-year inspection is overdue (rag_time amber).
t project inspection FSB-101 --inspection 1y --date 2026-06-24 \
  --note "1-års eftersyn med fsb, rådgiver og entreprenør"
t defect report FSB-101 --id FSB-101-M3 --description "Revner i puds, gavl mod vest" \
  --severity minor --found-at inspection_1y --reported 2026-06-24 --due 2026-09-01 \
  --cost-bearer demo-te1
t dispute escalate OS-12-T1 --level 6 --date "$(date -u -d '45 days ago' +%F)" --by demo-te2 \
  --note "Hurtig afgørelse ved opmand (AB18 § 68)"
# ---- earned value (issue 20 item 1; docs/aggregator.md "Earned value") ----------
# OS-12 spreads its Skema A over three milestones with planned costs and says
# how far each has come; with its actual costs the status row shows spi, cpi,
# eac_dkk and vac_dkk (trinctl project show OS-12 --earned-value).
t milestone set OS-12 --name projektering --baseline 2023-06-01 --planned-cost "9.400.000" \
  --percent-complete-bp 10000
t milestone set OS-12 --name klimaskaerm --baseline 2025-06-01 --planned-cost "61.500.000" \
  --percent-complete-bp 6000
t milestone set OS-12 --name installationer --baseline 2026-09-01 --planned-cost "24.000.000" \
  --percent-complete-bp 2500
t budget cost OS-12 --id OS-12-AC1 --category craft --amount "46.500.000" --date 2025-06-30 \
  --description "Klimaskærm og installationer, rater til og med juni 2025"
t budget cost OS-12 --id OS-12-AC2 --category advisor_fees --amount "9.900.000" --date 2025-06-30 \
  --description "Rådgivning til og med juni 2025"
# ---- sustainability and reuse (issue 20, item 3; lifecycle) --------------------
# Seed 000, Bilag 4 and "Cirkulære partnerskaber": roof tiles from one
# project of a partnership reused in another, a take-back agreement, energy
# renovations with expected and measured consumption and CO₂e with its
# method (docs/lifecycle.md). The feed's sustainability columns and
# `trinctl benchmark query reuse_share_pct` show them.
t project sustainability FSB-101 --id FSB-101-G1 --kind reuse \
  --description "Tagsten fra Solgården genbrugt på blok A-C" --date 2024-09-01 \
  --material tagsten --kg 42000 --m2 2600 --from-project FSB-207
t project sustainability FSB-207 --id FSB-207-G1 --kind take_back \
  --description "Takeback-aftale med producenten på tagpap" --date 2024-06-20
t project sustainability OS-12 --id OS-12-G1 --kind reuse \
  --description "Gule mursten til facadereparation" --date 2023-02-01 \
  --material mursten --kg 12000 --source "Genbrugsstation Lyngby"
t project sustainability OS-12 --id OS-12-E1 --kind energy_renovation \
  --description "Efterisolering og nye vinduer" --date 2023-02-01 \
  --energy-before 168,00 --energy-expected 98,00 --co2e 9,80 --co2e-method "LCAbyg 2023"
t project sustainability LIVA-3 --id LIVA-3-G1 --kind reuse \
  --description "Knuste betonelementer fra Vestervang som bundsikring" --date 2025-09-01 \
  --material beton --kg 8000 --from-project LIVA-9
t project sustainability KAB-X1 --id KAB-X1-E1 --kind energy_renovation \
  --description "Ny varmecentral" --date 2023-01-15 --energy-before 150 \
  --energy-expected 110 --energy-measured 118,50

# ---- networks: a benchlearning circle (issue 20, item 8) -------------------------
# Three municipalities and two housing organisations compare their schools
# and departments among themselves (seed 001's benchlearning, seed 004's
# buyer groups): an open network administered by Demoby 4 Kommune. Civica
# took part until 30 June 2024, so it no longer counts on 31 December 2024.
# A shared LED requirement, adopted by fsb in FSB-101. See it with
# `trinctl benchmark network-show demo-kreds` and
# `trinctl benchmark network-query demo-kreds --figure cost_per_m2 --year 2024 --viewer demo-kom-a`.
t benchmark network-set demo-kreds --name "Benchlearning-kreds (demo)" --open --admin demo-kom-a
for o in demo-kom-a demo-kom-b demo-kom-c demo-fsb demo-kab; do
  t benchmark network-member demo-kreds --org "$o" --joined 2023-01-01
done
t benchmark network-member demo-kreds --org demo-civica --joined 2022-01-01 --left 2024-06-30
t benchmark network-requirement demo-kreds --id krav-led --title "Fælles krav til LED-belysning" \
  --reference "https://example.org/demo-kreds/krav-led.pdf" --date 2024-02-01
t benchmark network-adopt demo-kreds --requirement krav-led --org demo-fsb --project FSB-101 \
  --date 2024-05-01

# ---- repetition evidence (issue 20, item 5) --------------------------------------
# Nothing to load: the generated cases already give each partnership
# projects of a kind in start order with drift, handover variance, cost per
# dwelling and satisfaction (&os: ten helhedsplaner and twenty renovations),
# and the benchmark computes the trend per project from them
# (`trinctl benchmark repetition --partnership os`, docs/benchmark.md). This
# waits until it has learnt the last case's start; not a step (no call).
wait_for benchmark repetition --partnership LIVA --kind helhedsplan || true

# ---- lessons learned (issue 20, item 5; lifecycle) --------------------------------
# Seed 000: how lessons move from site to site is not yet known. Bøgeparken's
# lessons, one taken up by Solgården with its measured effect; one moving
# between LIVA's projects (docs/lifecycle.md, "Lessons learned"). See them
# with `trinctl lesson list --partnership fsbHJEM`.
t lesson record FSB-101 --id FSB-101-E1 --category residents --date 2022-05-01 \
  --text "Beboermøder i hver opgang før Skema A gav færre klager under udførelsen"
t lesson record FSB-101 --id FSB-101-E2 --category rehousing --date 2022-06-01 \
  --text "Genhusning i to bølger holdt ventelisten på genhusningsboliger nede"
t lesson adopt FSB-207 --from FSB-101 --lesson FSB-101-E1 --date 2024-03-01 \
  --measure schedule_variance_days --value=-14 \
  --effect "Ingen stop for beboerklager; afleveret 14 dage tidligere end planlagt"
t lesson record OS-12 --id OS-12-E1 --category technical --date 2023-10-20 \
  --text "Undersøg bærende vægge før prisen lukkes, ikke efter"
t lesson record LIVA-3 --id LIVA-3-E1 --category collaboration --date 2023-06-01 \
  --text "Driften med i projekteringen fra trin 1"
t lesson adopt LIVA-9 --from LIVA-3 --lesson LIVA-3-E1 --date 2025-08-15 \
  --effect "Driftens ønsker med i forundersøgelsen"

echo done >"$STATE"
echo "demo portfolio loaded: 3 partnerships, $cases projects, 12 benchmarked properties," \
  "IKU of 98 municipalities (trinctl benchmark iku --municipality Aalborg)," \
  "repetition evidence (trinctl benchmark repetition --partnership os)," \
  "sustainability measures (trinctl project show FSB-101)," \
  "lessons learned (trinctl lesson list --partnership fsbHJEM)"

#!/usr/bin/env bash
# Loads a small demo portfolio into a running lifecycle service through
# trinctl: three partnerships shaped like the seeds' fsbHJEM, &os and LIVA
# (each closes the price at a different point), projects in every stage,
# a pause, a dispute up the ladder, defects, and one project outside any
# partnership as the baseline. Safe to run twice: it stops if the demo is
# already there.
set -euo pipefail
TRINCTL="${TRINCTL:-build/tools/trinctl/trinctl}"
t() { "$TRINCTL" "$@" >/dev/null; }

if "$TRINCTL" org list 2>/dev/null | grep -q '^demo-fsb\b'; then
  echo "demo portfolio already loaded"
  exit 0
fi

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
  --price-closing projektforslag --abt-start trin3 --frame "2.500.000.000" \
  --trivial-threshold "25.000"
t partnership create --id LIVA --name "LIVA" --client demo-civica \
  --framework-start 2022-09-01 --framework-years 4 --horizon-years 10 \
  --price-closing myndighedsprojekt --abt-start trin1 --frame "1.800.000.000" \
  --trivial-threshold "50.000"
for p in fsbHJEM os LIVA; do
  t partnership add-member --partnership $p --org demo-ark --role advisor
  t partnership add-member --partnership $p --org demo-ing --role advisor
done
t partnership add-member --partnership fsbHJEM --org demo-te1 --role contractor
t partnership add-member --partnership os --org demo-te2 --role contractor
t partnership add-member --partnership LIVA --org demo-te1 --role contractor

# fsbHJEM: a helhedsplan through execution and handover, with defects.
t project create --id FSB-101 --name "Bøgeparken, helhedsplan" --partnership fsbHJEM \
  --kind helhedsplan --department "Afd. 12 Bøgeparken" --municipality København \
  --dwellings 312 --area 24800 --start 2021-09-01
t project advance FSB-101 --to trin1 --date 2021-11-01
t project advance FSB-101 --to trin2 --date 2022-06-01
t project close-price FSB-101 --date 2023-02-15 --reference "Skema B 2023-02"
t project advance FSB-101 --to trin3 --date 2023-03-01
t milestone set FSB-101 --name handover --baseline 2025-05-01 --forecast 2025-06-15 --actual 2025-06-20
t project advance FSB-101 --to handover --date 2025-06-20
t defect report FSB-101 --id FSB-101-M1 --description "Utætte altandøre, blok C" \
  --severity major --found-at handover --reported 2025-06-20 --due 2025-09-01 --cost-bearer demo-te1
t defect report FSB-101 --id FSB-101-M2 --description "Manglende fuger i trappeopgang" \
  --severity minor --found-at handover --reported 2025-06-20 --due 2025-08-01 --cost-bearer demo-te1
t defect fix FSB-101-M2 --date 2025-07-10

# fsbHJEM: a small fast-track maintenance case.
t project create --id FSB-207 --name "Tagudskiftning Solgården" --partnership fsbHJEM \
  --kind maintenance --municipality Frederiksberg --dwellings 48 --area 3900 --fast-track --start 2024-02-01
t project advance FSB-207 --to trin1_2 --date 2024-03-01
t project close-price FSB-207 --date 2024-06-01
t project advance FSB-207 --to trin3 --date 2024-06-15
t milestone set FSB-207 --name handover --baseline 2025-01-31 --forecast 2025-03-15

# &os: design paused by resident democracy; a dispute lifted to level 2.
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

# LIVA: a new build in trin 1 and one in pre-study.
t project create --id LIVA-3 --name "Nybyg Kildeparken" --partnership LIVA \
  --kind new_build --municipality Aalborg --dwellings 64 --area 5200 --start 2023-01-10
t project advance LIVA-3 --to trin1 --date 2023-03-01
t project create --id LIVA-9 --name "Forundersøgelse Vestervang" --partnership LIVA \
  --kind renovation --municipality Aarhus --dwellings 140 --area 11000 --start 2025-08-01

# Outside any partnership: the baseline partnerships are compared against.
t project create --id KAB-X1 --name "Traditionel renovering Hyldebærvej" --client demo-kab \
  --kind renovation --municipality Gladsaxe --dwellings 96 --area 7600 --start 2022-03-01
t project advance KAB-X1 --to trin1 --date 2022-06-01
t project advance KAB-X1 --to trin2 --date 2023-01-01
t project pause KAB-X1 --reason landsbyggefonden --date 2023-06-01 --note "Afventer Landsbyggefonden"

echo "demo portfolio loaded: 3 partnerships, 6 projects"

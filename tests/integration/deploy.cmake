# The deployment files (docker-compose.yml, deploy/Dockerfile, deploy/config,
# deploy/systemd, README's "Operating trin") against the real binaries: every
# setting they name must be one the binary lists in --help. Docker cannot run
# here, so tests/deploy/check_deploy.py reads the compose file with PyYAML
# (Debian's python3-yaml) and, in deploy.rehearsal, starts the five services
# and the gateway with the compose environment (ports moved, SQLite when no
# PostgreSQL server can start), runs every healthcheck over CURVE, and opens a
# dispute through the gateway's HTTP API that the aggregator's feed must show.
find_package(Python3 COMPONENTS Interpreter)
add_test(NAME deploy.compose_config COMMAND sh ${PROJECT_SOURCE_DIR}/tests/deploy/compose_config.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(deploy.compose_config PROPERTIES SKIP_RETURN_CODE 77)
set(_deploy_services lifecycle budget survey benchmark aggregator gateway)
set(_deploy_ready ${Python3_Interpreter_FOUND})
foreach(s ${_deploy_services})
  if(NOT TARGET trin-${s})
    set(_deploy_ready FALSE)
  endif()
endforeach()
if(_deploy_ready)
  set(_deploy_args ${PROJECT_SOURCE_DIR}/tests/deploy/check_deploy.py
      --root ${PROJECT_SOURCE_DIR} --trinctl $<TARGET_FILE:trinctl>)
  foreach(s ${_deploy_services})
    list(APPEND _deploy_args --bin ${s}=$<TARGET_FILE:trin-${s}>)
  endforeach()
  add_test(NAME deploy.files COMMAND ${Python3_EXECUTABLE} ${_deploy_args})
  add_test(NAME deploy.rehearsal COMMAND ${Python3_EXECUTABLE} ${_deploy_args} --rehearse)
  # About a minute on a quiet machine; under a CPU hog and parallel builds
  # (every binary started with ASan, many times) five times that was seen:
  # the bound only catches a hang.
  set_tests_properties(deploy.files deploy.rehearsal PROPERTIES TIMEOUT 900)
endif()

# deploy/demo-portfolio.sh killed midway, then run again: the second run says
# how many of the 60 projects it found and loads the rest (tests/deploy/
# demo_resume.sh; four services on ipc:// endpoints, no ports). Some minutes
# with ASan (about 1,500 trinctl calls); the bound only catches a hang.
if(TARGET trin-lifecycle AND TARGET trin-budget AND TARGET trin-survey AND TARGET trin-benchmark)
  add_test(NAME deploy.demo_resume
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/deploy/demo_resume.sh ${PROJECT_SOURCE_DIR}
                   $<TARGET_FILE:trinctl> $<TARGET_FILE:trin-lifecycle> $<TARGET_FILE:trin-budget>
                   $<TARGET_FILE:trin-survey> $<TARGET_FILE:trin-benchmark>)
  set_tests_properties(deploy.demo_resume PROPERTIES TIMEOUT 2400)
endif()

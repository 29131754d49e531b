# Lessons learned (issue 20, item 5): the lifecycle service's rules.
trin_test(NAME lifecycle.lessons SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_lifecycle_lessons.c
          ${PROJECT_SOURCE_DIR}/services/lifecycle/lifecycle_lessons.c LIBS "")

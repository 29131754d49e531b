# webapp.lessons: lessons learned on the project page
# (lessons.js) in headless Chromium (tests/browser/lessons.mjs)
# against every service as real processes over CURVE (gateway_testenv).
# Skips (77) without node/chromium.
trin_webapp_test(webapp.lessons ${CMAKE_CURRENT_LIST_DIR}/test_webapp_lessons.c)

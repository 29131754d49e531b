# webapp.insight: the web app's surveys over the rounds and key figures
# (survey.js, benchmark.js) in headless Chromium (tests/browser/insight.mjs)
# against every service as real processes over CURVE (gateway_testenv).
# Skips (77) without node/chromium.
trin_webapp_test(webapp.insight ${CMAKE_CURRENT_LIST_DIR}/test_webapp_insight.c)

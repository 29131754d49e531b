# webapp.corrections: the corrections of issue 19 in the web app (services/
# gateway/web: app.js's project facts and stage history, survey.js's rounds
# and alerts) in headless Chromium (tests/browser/corrections.mjs) against
# every service as real processes over CURVE (gateway_testenv). Skips (77)
# without node/chromium.
trin_webapp_test(webapp.corrections ${CMAKE_CURRENT_LIST_DIR}/test_webapp_corrections.c)

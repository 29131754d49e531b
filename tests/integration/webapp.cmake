# webapp.*: the partners' web app served by trin-gateway at /app/, driven in
# headless Chromium (tests/browser/app.mjs) against every service as real
# processes over CURVE (gateway_testenv). Skips (77) without node/chromium.
trin_webapp_test(webapp.flow ${CMAKE_CURRENT_LIST_DIR}/test_webapp.c)

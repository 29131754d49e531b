# webapp.economy: the project's economy in the web app (services/gateway/web/
# economy.js) in headless Chromium (tests/browser/economy.mjs) against every
# service as real processes over CURVE (gateway_testenv): budgets, lines
# pasted from an Excel clipboard, MOLIO, the drift chart. Skips (77) without
# node/chromium.
trin_webapp_test(webapp.economy ${CMAKE_CURRENT_LIST_DIR}/test_webapp_economy.c PkgConfig::JANSSON)

# webapp.oidc: signing in to the web app through a real OpenID provider
# (tests/oidc/app-provider.mjs) in headless Chromium (tests/browser/oidc.mjs).
# Skips (77) without node 20+, npm or chromium.
trin_webapp_test(webapp.oidc ${CMAKE_CURRENT_LIST_DIR}/test_webapp_oidc.c)

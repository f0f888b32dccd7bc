/*
 * Service worker of the check-in app, served at /pointage/sw.js (events/views/checkin.py) so
 * that its scope is /pointage/: the app's pages reload without network.
 *
 * - Pages under /pointage/ are fetched from the network first (the server's page is fresher),
 *   and from the cache when the network is down or too slow (a market square with one bar
 *   of signal): a page that hangs is worse than yesterday's copy of it.
 * - Static files are served from the cache and refreshed in the background.
 * - The API is never cached here: the page handles its failures itself (offline queue).
 * The page sends the list of what to keep (its own URL, its CSS and scripts) with a
 * "precache" message, because on the first visit those were loaded before this worker ran.
 */
"use strict";

var CACHE = "village-checkin-v1";
var NAVIGATION_TIMEOUT = 4000;

self.addEventListener("install", function () {
    self.skipWaiting();
});

self.addEventListener("activate", function (event) {
    event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "precache" || !Array.isArray(data.urls)) {
        return;
    }
    event.waitUntil(
        precache(data.urls).then(function () {
            if (event.source) {
                event.source.postMessage({ type: "precached" });
            }
        })
    );
});

function cacheable(response) {
    // Never keep a redirect to the login page or an error in place of the app.
    return response && response.ok && !response.redirected && response.type === "basic";
}

function precache(urls) {
    return caches.open(CACHE).then(function (cache) {
        return Promise.all(
            urls.map(function (url) {
                return fetch(url, { credentials: "same-origin", cache: "no-store" })
                    .then(function (response) {
                        return cacheable(response) ? cache.put(url, response) : null;
                    })
                    .catch(function () {
                        return null;
                    });
            })
        );
    });
}

self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") {
        return;
    }
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) {
        return;
    }
    if (request.mode === "navigate" && url.pathname.indexOf("/pointage/") === 0) {
        event.respondWith(networkFirst(request));
    } else if (url.pathname.indexOf("/static/") === 0) {
        event.respondWith(cacheFirst(event, request));
    }
});

function networkFirst(request) {
    var network = fetch(request).then(function (response) {
        var isPage = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
        if (cacheable(response) && isPage) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) {
                cache.put(request.url, copy);
            });
        }
        return response;
    });
    var slow = new Promise(function (resolve, reject) {
        setTimeout(function () {
            reject(new Error("timeout"));
        }, NAVIGATION_TIMEOUT);
    });
    return Promise.race([network, slow]).catch(function () {
        return caches.match(request.url).then(function (cached) {
            // Nothing kept yet: wait for the network after all, or fail like the browser would.
            return cached || network.catch(offlinePage);
        });
    });
}

function cacheFirst(event, request) {
    return caches.match(request).then(function (cached) {
        var refresh = fetch(request)
            .then(function (response) {
                if (cacheable(response)) {
                    var copy = response.clone();
                    caches.open(CACHE).then(function (cache) {
                        cache.put(request, copy);
                    });
                }
                return response;
            })
            .catch(function () {
                return cached;
            });
        if (cached) {
            event.waitUntil(refresh);
            return cached;
        }
        return refresh;
    });
}

function offlinePage() {
    // The worker has no translation catalogue; this page only shows when the app was never
    // opened on this phone with network, so it stays minimal.
    return new Response(
        '<!DOCTYPE html><html lang="fr"><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
            "<title>Hors ligne</title><p>Hors ligne : ouvrez cette page une première fois avec du réseau " +
            "pour pouvoir pointer sans connexion.</p></html>",
        { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
    );
}

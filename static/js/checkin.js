/*
 * The check-in app, /pointage/<event>/: scan, search by name, count passers-by, online and offline.
 *
 * The server's rules (events/services/checkin.py) are the truth; this script keeps the door
 * working when the network does not:
 * - the event's list (SHA-256 hashes of the ticket codes, names, categories) is fetched when
 *   the page opens and kept in localStorage, so a scan can be judged on the phone offline;
 * - every scan and tally mark gets a nonce (crypto.randomUUID) and the phone's time, and waits
 *   in a persistent queue until the server has answered it: a reload, a crash or a flat
 *   battery loses nothing, and re-sending is safe because the server answers a nonce once;
 * - when the network returns the queue goes through /api/v1/checkins/batch and the server's
 *   answers replace the phone's guesses (one ticket on two offline phones: the second phone
 *   to sync is told "duplicate").
 * localStorage rather than IndexedDB: its writes are synchronous, so a scan is stored before
 * anything else can happen, and the data is small (a few hundred tickets at most).
 *
 * No inline script, no CDN: the configuration comes from a JSON <script> block written by
 * the server, the QR decoder is vendored (static/js/vendor/jsQR.js) and only loaded when the
 * browser has no native BarcodeDetector.
 */
(function () {
    "use strict";

    var configNode = document.getElementById("checkin-config");
    var config = configNode ? JSON.parse(configNode.textContent) : null;
    registerServiceWorker(document.body.dataset.serviceWorker, config);
    if (!config) {
        return;
    }

    var M = config.messages;
    var app = document.getElementById("checkin-app");
    var PREFIX = "village-checkin:v1:" + config.event + ":";
    var CODE = /^[A-Za-z0-9_-]{22}$/;
    var CODE_IN_LINK = /\/billet\/([A-Za-z0-9_-]{22})\/?(?:[?#].*)?$/;
    var BATCH_SIZE = 100;
    var RETRY_EVERY = 15000;
    // The same QR in front of the camera is read many times a second: one scan per showing.
    var SAME_CODE_PAUSE = 5000;
    var ACCEPTED_SHOWN_FOR = 5000;
    var KEEP_LISTS_FOR = 7 * 24 * 3600 * 1000;

    function role(name) {
        return app.querySelector('[data-role="' + name + '"]');
    }

    function t(template, values) {
        return template.replace(/%\((\w+)\)s/g, function (match, key) {
            return values && key in values ? String(values[key]) : match;
        });
    }

    // Storage ------------------------------------------------------------------------------------

    var store = {
        get: function (name, fallback) {
            try {
                var raw = window.localStorage.getItem(PREFIX + name);
                return raw === null ? fallback : JSON.parse(raw);
            } catch (error) {
                return fallback;
            }
        },
        set: function (name, value) {
            try {
                window.localStorage.setItem(PREFIX + name, JSON.stringify(value));
            } catch (error) {
                notice(M.error + " : " + error.message);
            }
        },
    };

    var manifest = store.get("manifest", null);
    var queue = store.get("queue", []); // [{item: <POST /checkins body>, local: {result, key, name}}]
    var tallyQueue = store.get("tally", []); // [<POST /tally body>]
    var localIns = store.get("local", {}); // code hash -> {at, nonce}: checked in here, not yet confirmed
    var last = store.get("last", null); // the last accepted scan, for "undo": {nonce, checkinId, name}
    var counts = newerCounts(store.get("counts", null), config.counts, config.generatedAt);
    var byHash = new Map();
    var byRegistration = new Map();
    var device = deviceName();
    var reachable = true;
    var syncing = false;
    var expired = false;
    var busy = false;
    indexManifest();
    try {
        forgetOldLists();
    } catch (error) {
        // Storage unavailable (private browsing): nothing to forget.
    }

    function newerCounts(stored, rendered, renderedAt) {
        if (stored && stored.at && renderedAt && Date.parse(stored.at) > Date.parse(renderedAt)) {
            return stored.counts;
        }
        return rendered;
    }

    function saveCounts(value) {
        if (!value) {
            return;
        }
        counts = value;
        store.set("counts", { at: new Date().toISOString(), counts: value });
    }

    function indexManifest() {
        byHash = new Map();
        byRegistration = new Map();
        if (!manifest) {
            return;
        }
        manifest.tickets.forEach(function (entry) {
            byHash.set(entry.code_hash, entry);
            byRegistration.set(entry.registration, entry);
        });
    }

    function deviceName() {
        var key = "village-checkin:device";
        var name = null;
        try {
            name = window.localStorage.getItem(key);
            if (!name) {
                name = (config.user || "") + " · " + uuid().slice(0, 4);
                window.localStorage.setItem(key, name);
            }
        } catch (error) {
            name = config.user || "";
        }
        return name.slice(0, 80);
    }

    function forgetOldLists() {
        // The offline lists hold names: keep them on the phone only while they serve. An
        // event's data goes once its list is a week old, unless scans still wait to be sent.
        var limit = Date.now() - KEEP_LISTS_FOR;
        var events = {};
        for (var i = 0; i < window.localStorage.length; i++) {
            var match = /^village-checkin:v1:(\d+):(.+)$/.exec(window.localStorage.key(i));
            if (match) {
                (events[match[1]] = events[match[1]] || []).push(match[2]);
            }
        }
        Object.keys(events).forEach(function (id) {
            var prefix = "village-checkin:v1:" + id + ":";
            try {
                var list = JSON.parse(window.localStorage.getItem(prefix + "manifest") || "null");
                var waiting = JSON.parse(window.localStorage.getItem(prefix + "queue") || "[]").length +
                    JSON.parse(window.localStorage.getItem(prefix + "tally") || "[]").length;
                if (Number(id) !== config.event && !waiting && (!list || Date.parse(list.generated_at) < limit)) {
                    events[id].forEach(function (name) {
                        window.localStorage.removeItem(prefix + name);
                    });
                }
            } catch (error) {
                // A damaged entry is left alone rather than risk a queue.
            }
        });
    }

    // Small helpers -------------------------------------------------------------------------------

    function uuid() {
        if (window.crypto && window.crypto.randomUUID) {
            return window.crypto.randomUUID();
        }
        var bytes = window.crypto.getRandomValues(new Uint8Array(16));
        return Array.from(bytes, function (b) {
            return b.toString(16).padStart(2, "0");
        }).join("");
    }

    function codeFromScan(text) {
        text = (text || "").trim();
        if (CODE.test(text)) {
            return text;
        }
        var match = CODE_IN_LINK.exec(text);
        return match ? match[1] : null;
    }

    function sha256(text) {
        return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (digest) {
            return Array.from(new Uint8Array(digest), function (b) {
                return b.toString(16).padStart(2, "0");
            }).join("");
        });
    }

    var timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "numeric", minute: "2-digit" });

    function frenchTime(iso) {
        var parts = {};
        timeFormat.formatToParts(new Date(iso)).forEach(function (part) {
            parts[part.type] = part.value;
        });
        return Number(parts.hour) + " h " + parts.minute;
    }

    function fold(text) {
        return (text || "")
            .normalize("NFD")
            .replace(/[\u0300-\u036f]/g, "")
            .toLowerCase()
            .replace(/œ/g, "oe")
            .replace(/æ/g, "ae");
    }

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : config.csrfToken;
    }

    function isOnline() {
        return navigator.onLine && reachable;
    }

    // The API ------------------------------------------------------------------------------------

    function api(method, path, body, options) {
        options = options || {};
        var controller = new AbortController();
        var timer = setTimeout(function () {
            controller.abort();
        }, options.timeout || 8000);
        var headers = { Accept: "application/json" };
        if (body !== undefined) {
            headers["Content-Type"] = "application/json";
        }
        if (method !== "GET") {
            headers["X-CSRFToken"] = csrfToken();
        }
        if (options.etag) {
            headers["If-None-Match"] = options.etag;
        }
        return fetch(config.api + path, {
            method: method,
            headers: headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            credentials: "same-origin",
            cache: "no-store",
            signal: controller.signal,
        }).then(
            function (response) {
                clearTimeout(timer);
                reachable = true;
                if (response.status === 304) {
                    return { status: 304, data: null };
                }
                return response.json().then(
                    function (data) {
                        return settleResponse(response, data);
                    },
                    function () {
                        return settleResponse(response, null);
                    }
                );
            },
            function () {
                clearTimeout(timer);
                reachable = false;
                throw { network: true };
            }
        );
    }

    function settleResponse(response, data) {
        if (!response.ok) {
            var detail = data && data.detail && data.detail[0] ? data.detail[0] : { code: "http_" + response.status, message: M.error + " " + response.status };
            throw { status: response.status, detail: detail };
        }
        return { status: response.status, data: data };
    }

    function isSessionProblem(error) {
        return error.status === 401 || (error.status === 403 && error.detail && error.detail.code === "csrf_failed");
    }

    // Screen ---------------------------------------------------------------------------------------

    var overlay = role("result");
    var hideTimer = null;

    function showResult(view) {
        clearTimeout(hideTimer);
        overlay.dataset.result = view.result;
        role("result-icon").textContent = view.result === "accepted" ? "✓" : view.result === "duplicate" ? "!" : view.result === "undone" ? "↺" : "✕";
        role("result-title").textContent = view.title || "";
        role("result-name").textContent = view.name || "";
        role("result-detail").textContent = view.detail || "";
        role("result-note").textContent = view.note || "";
        role("result-undo").hidden = !view.undoable;
        overlay.hidden = false;
        if (view.result === "accepted") {
            hideTimer = setTimeout(hideResult, ACCEPTED_SHOWN_FOR);
        }
    }

    function hideResult() {
        clearTimeout(hideTimer);
        overlay.hidden = true;
    }

    function attendeeDetail(attendee) {
        if (!attendee) {
            return "";
        }
        var parts = [attendee.category_label];
        if (attendee.seats > 1) {
            parts.push(t(M.seats, { count: attendee.seats }));
        }
        if (attendee.organisation) {
            parts.push(attendee.organisation);
        }
        return parts.join(" · ");
    }

    function showOutcome(outcome, note) {
        var accepted = outcome.result === "accepted";
        showResult({
            result: outcome.result,
            title: outcome.message,
            name: outcome.attendee ? outcome.attendee.name : "",
            detail: attendeeDetail(outcome.attendee),
            note: note || "",
            undoable: accepted,
        });
    }

    var noticeNode = role("notice");

    function notice(text, kind) {
        noticeNode.textContent = text || "";
        noticeNode.hidden = !text;
        noticeNode.dataset.kind = kind || "";
    }

    function pendingCount() {
        return queue.length + tallyQueue.length;
    }

    function renderStatus() {
        var status = role("status");
        var pending = pendingCount();
        var state = syncing ? "syncing" : !isOnline() ? "offline" : expired ? "expired" : "online";
        var text = syncing ? M.syncing : state === "offline" ? M.offline : M.online;
        if (pending && !syncing) {
            text += " — " + t(M.pending, { count: pending });
        }
        status.dataset.state = state;
        status.dataset.pending = String(pending);
        role("status-text").textContent = text;
    }

    function renderCounts() {
        var queuedIn = queue.filter(function (entry) {
            return entry.local.result === "accepted";
        });
        var present = (counts ? counts.present : 0) + queuedIn.length;
        var registered = counts ? counts.registered : manifest ? manifest.tickets.length : 0;
        role("present").textContent = String(present);
        role("registered").textContent = String(registered);
        var seats = role("seats");
        if (counts && (counts.present_seats !== counts.present || counts.registered_seats !== counts.registered)) {
            var queuedSeats = queuedIn.reduce(function (sum, entry) {
                return sum + (entry.local.seats || 1);
            }, 0);
            seats.textContent = t(M.seatsOf, { present: counts.present_seats + queuedSeats, registered: counts.registered_seats });
            seats.hidden = false;
        }
        var tally = Math.max(
            0,
            (counts ? counts.tally : 0) +
                tallyQueue.reduce(function (sum, mark) {
                    return sum + mark.delta;
                }, 0)
        );
        role("tally").textContent = String(tally);
        app.querySelector('[data-action="tally"][data-delta="-1"]').disabled = tally <= 0;
        var undoBar = role("undo-bar");
        undoBar.hidden = !last;
        if (last) {
            role("undo-label").textContent = t(M.undoLast, { name: last.name });
        }
    }

    function renderManifestStatus() {
        var node = role("manifest-status");
        node.textContent = manifest ? t(M.listLoaded, { count: manifest.tickets.length }) : M.listMissing;
    }

    function renderAll() {
        renderStatus();
        renderCounts();
        renderManifestStatus();
    }

    // Judging a scan -------------------------------------------------------------------------------

    function submit(ticketText, registrationId) {
        if (busy) {
            return Promise.resolve();
        }
        busy = true;
        var item = {
            event: config.event,
            nonce: uuid(),
            device: device,
            scanned_at: new Date().toISOString(),
            offline: false,
        };
        if (registrationId) {
            item.registration = registrationId;
        } else {
            item.ticket = ticketText;
        }
        var attempt = isOnline() ? api("POST", "/checkins", item) : Promise.reject({ network: true });
        return attempt
            .then(
                function (answer) {
                    var outcome = answer.data;
                    applyOutcome(outcome);
                    saveCounts(outcome.counts);
                    if (outcome.result === "accepted" && !outcome.replayed) {
                        remember({ nonce: outcome.nonce, checkinId: outcome.checkin_id, name: outcome.attendee.name });
                    }
                    showOutcome(outcome);
                },
                function (error) {
                    if (error.network || isSessionProblem(error)) {
                        if (!error.network) {
                            sessionExpired();
                        }
                        return judgeOffline(item);
                    }
                    showResult({ result: "error", title: error.detail.message });
                }
            )
            .then(function () {
                busy = false;
                renderAll();
            });
    }

    function judgeOffline(item) {
        item.offline = true;
        return localVerdict(item).then(function (verdict) {
            // Stored before anything is shown: whatever happens next, the scan is kept.
            queue.push({ item: item, local: { result: verdict.result, key: verdict.key || null, name: verdict.name || "", seats: verdict.seats || 1 } });
            store.set("queue", queue);
            if (verdict.result === "accepted") {
                localIns[verdict.key] = { at: item.scanned_at, nonce: item.nonce };
                store.set("local", localIns);
                remember({ nonce: item.nonce, checkinId: null, name: verdict.name });
            }
            showResult({
                result: verdict.result,
                title: verdict.title,
                name: verdict.name,
                detail: verdict.detail,
                note: M.offlineNote,
                undoable: verdict.result === "accepted",
            });
        });
    }

    function localVerdict(item) {
        if (!manifest) {
            return Promise.resolve({ result: "unknown", title: M.unknown, detail: M.listMissing });
        }
        var lookup;
        if (item.registration) {
            lookup = Promise.resolve(byRegistration.get(item.registration));
        } else {
            var code = codeFromScan(item.ticket);
            if (!code) {
                return Promise.resolve({ result: "unknown", title: M.unknown, detail: M.unreadable });
            }
            lookup = sha256(code).then(function (hash) {
                return byHash.get(hash);
            });
        }
        return lookup.then(function (entry) {
            if (!entry) {
                return { result: "unknown", title: M.unknown, detail: M.unknownOffline };
            }
            var verdict = {
                key: entry.code_hash,
                name: entry.name,
                seats: entry.seats,
                detail: attendeeDetail({ category_label: entry.category_label, seats: entry.seats, organisation: entry.organisation }),
            };
            var earlier = localIns[entry.code_hash];
            if (entry.checked_in || earlier) {
                var at = entry.checked_in_at || (earlier && earlier.at);
                verdict.result = "duplicate";
                verdict.title = at ? (earlier ? t(M.duplicateAtBy, { time: frenchTime(at), by: config.user }) : t(M.duplicateAt, { time: frenchTime(at) })) : M.duplicate;
                return verdict;
            }
            verdict.result = "accepted";
            verdict.title = M.accepted;
            return verdict;
        });
    }

    function applyOutcome(outcome, localKey) {
        // Keep the offline list in step with what the server said, so a scan made just after
        // the network drops is still judged right.
        var entry = outcome.attendee ? byRegistration.get(outcome.attendee.registration) : null;
        if (entry && (outcome.result === "accepted" || outcome.result === "duplicate") && outcome.checked_in_at) {
            entry.checked_in = true;
            entry.checked_in_at = outcome.checked_in_at;
        }
        if (localKey && localIns[localKey]) {
            delete localIns[localKey];
            store.set("local", localIns);
        }
        if (manifest) {
            store.set("manifest", manifest);
        }
        if (last && outcome.nonce === last.nonce) {
            last.checkinId = outcome.result === "accepted" ? outcome.checkin_id : null;
            if (!last.checkinId) {
                last = null;
            }
            store.set("last", last);
        }
    }

    function remember(value) {
        last = value;
        store.set("last", last);
    }

    // Undo ---------------------------------------------------------------------------------------

    function undo() {
        if (!last) {
            return;
        }
        var index = queue.findIndex(function (entry) {
            return entry.item.nonce === last.nonce;
        });
        var name = last.name;
        if (index >= 0) {
            // Never sent: taking it out of the queue is the whole undo.
            var entry = queue.splice(index, 1)[0];
            store.set("queue", queue);
            if (entry.local.key) {
                delete localIns[entry.local.key];
                store.set("local", localIns);
            }
            remember(null);
            showResult({ result: "undone", title: M.undone, name: name });
            renderAll();
            return;
        }
        if (!last.checkinId) {
            return;
        }
        api("DELETE", "/checkins/" + last.checkinId + "?device=" + encodeURIComponent(device)).then(
            function (answer) {
                saveCounts(answer.data.counts);
                var attendee = answer.data.attendee;
                var entry = attendee ? byRegistration.get(attendee.registration) : null;
                if (entry) {
                    entry.checked_in = false;
                    entry.checked_in_at = null;
                    store.set("manifest", manifest);
                }
                remember(null);
                showResult({ result: "undone", title: answer.data.message, name: name });
                renderAll();
            },
            function (error) {
                if (error.network) {
                    notice(M.undoOffline, "warning");
                } else {
                    if (error.status === 404) {
                        remember(null);
                    }
                    notice(error.detail.message, "warning");
                }
                renderAll();
            }
        );
    }

    // Sync -------------------------------------------------------------------------------------------

    function sync() {
        if (syncing || !navigator.onLine) {
            renderStatus();
            return Promise.resolve();
        }
        if (!pendingCount()) {
            return refresh();
        }
        syncing = true;
        renderStatus();
        var sent = 0;
        var report = [];

        function nextScans() {
            if (!queue.length) {
                return nextMarks();
            }
            var batch = queue.slice(0, BATCH_SIZE);
            return api("POST", "/checkins/batch", { items: batch.map(function (entry) { return entry.item; }) }, { timeout: 20000 })
                .then(
                    function (answer) {
                        var mine = (answer.data.counts || []).find(function (c) { return c.event === config.event; });
                        saveCounts(mine);
                        return answer.data.items;
                    },
                    function (error) {
                        // A batch the server refuses as a whole (one malformed item) must not
                        // block the others: send them one by one and drop only the bad one.
                        if (error.status === 400) {
                            return oneByOne(batch);
                        }
                        throw error;
                    }
                )
                .then(function (answers) {
                    sent += settle(batch, answers, report);
                    return nextScans();
                });
        }

        function nextMarks() {
            if (!tallyQueue.length) {
                return Promise.resolve();
            }
            var marks = tallyQueue.slice(0, BATCH_SIZE);
            return api("POST", "/tally/batch", { items: marks }, { timeout: 20000 }).then(function (answer) {
                var answered = new Set(answer.data.items.map(function (item) { return item.nonce; }));
                tallyQueue = tallyQueue.filter(function (mark) { return !answered.has(mark.nonce); });
                store.set("tally", tallyQueue);
                var mine = (answer.data.counts || []).find(function (c) { return c.event === config.event; });
                saveCounts(mine);
                return nextMarks();
            });
        }

        return nextScans()
            .then(
                function () {
                    expired = false;
                    notice(sent ? t(M.synced, { count: sent }) : "", "success");
                    renderReport(report);
                },
                function (error) {
                    renderReport(report);
                    if (error.network) {
                        notice(M.syncFailed, "warning");
                    } else if (isSessionProblem(error)) {
                        sessionExpired();
                    } else {
                        notice(error.detail ? error.detail.message : M.syncFailed, "warning");
                    }
                }
            )
            .then(function () {
                syncing = false;
                renderAll();
                return refreshManifest();
            });
    }

    function oneByOne(batch) {
        var answers = [];
        return batch
            .reduce(function (chain, entry) {
                return chain.then(function () {
                    return api("POST", "/checkins", entry.item).then(
                        function (answer) {
                            saveCounts(answer.data.counts);
                            answers.push({ nonce: entry.item.nonce, ok: true, outcome: answer.data, error: null });
                        },
                        function (error) {
                            if (error.network || isSessionProblem(error)) {
                                throw error;
                            }
                            answers.push({ nonce: entry.item.nonce, ok: false, outcome: null, error: error.detail });
                        }
                    );
                });
            }, Promise.resolve())
            .then(function () {
                return answers;
            });
    }

    function settle(batch, answers, report) {
        var byNonce = new Map(answers.map(function (answer) { return [answer.nonce, answer]; }));
        var done = new Set();
        batch.forEach(function (entry) {
            var answer = byNonce.get(entry.item.nonce);
            if (!answer) {
                return; // not answered: stays queued
            }
            done.add(entry.item.nonce);
            if (answer.ok) {
                applyOutcome(answer.outcome, entry.local.key);
                if (answer.outcome.result !== entry.local.result) {
                    report.push({ name: (answer.outcome.attendee && answer.outcome.attendee.name) || entry.local.name || entry.item.ticket || "", text: answer.outcome.message, result: answer.outcome.result });
                }
            } else {
                if (entry.local.key && localIns[entry.local.key]) {
                    delete localIns[entry.local.key];
                    store.set("local", localIns);
                }
                if (last && last.nonce === entry.item.nonce) {
                    remember(null);
                }
                report.push({ name: entry.local.name || entry.item.ticket || "", text: answer.error.message, result: "error" });
            }
        });
        queue = queue.filter(function (entry) {
            return !done.has(entry.item.nonce);
        });
        store.set("queue", queue);
        return done.size;
    }

    function renderReport(report) {
        if (!report.length) {
            return;
        }
        var list = role("report-list");
        report.forEach(function (line) {
            var item = document.createElement("li");
            item.className = "checkin-person checkin-person--" + line.result;
            var name = document.createElement("strong");
            name.textContent = line.name;
            var text = document.createElement("span");
            text.textContent = line.text;
            item.append(name, text);
            list.prepend(item);
        });
        role("report").hidden = false;
    }

    function sessionExpired() {
        expired = true;
        var link = document.createElement("a");
        link.href = config.loginUrl;
        link.textContent = M.sessionExpired;
        noticeNode.replaceChildren(link);
        noticeNode.hidden = false;
        noticeNode.dataset.kind = "warning";
    }

    function refresh() {
        if (!navigator.onLine) {
            return Promise.resolve();
        }
        return api("GET", "/events/" + config.event + "/checkin-counts")
            .then(function (answer) {
                saveCounts(answer.data);
            })
            .catch(function () {})
            .then(function () {
                renderAll();
                return refreshManifest();
            });
    }

    function refreshManifest() {
        if (!navigator.onLine) {
            return Promise.resolve();
        }
        var etag = manifest ? '"' + manifest.version + '"' : null;
        return api("GET", "/events/" + config.event + "/checkin-list", undefined, { etag: etag, timeout: 20000 })
            .then(function (answer) {
                if (answer.status === 200) {
                    manifest = answer.data;
                    saveCounts(manifest.counts);
                    store.set("manifest", manifest);
                    indexManifest();
                }
                app.dataset.manifest = "ready";
            })
            .catch(function (error) {
                if (!error.network && isSessionProblem(error)) {
                    sessionExpired();
                }
            })
            .then(renderAll);
    }

    // Tally ----------------------------------------------------------------------------------------

    function tally(delta) {
        tallyQueue.push({
            event: config.event,
            delta: delta,
            nonce: uuid(),
            device: device,
            counted_at: new Date().toISOString(),
        });
        store.set("tally", tallyQueue);
        renderAll();
        sync();
    }

    // Search by name ---------------------------------------------------------------------------------

    function search(query) {
        var list = role("search-results");
        var attempt = isOnline()
            ? api("GET", "/events/" + config.event + "/attendees?q=" + encodeURIComponent(query))
            : Promise.reject({ network: true });
        attempt
            .then(
                function (answer) {
                    return answer.data.map(function (match) {
                        return {
                            registration: match.attendee.registration,
                            name: match.attendee.name,
                            detail: attendeeDetail(match.attendee),
                            status: match.status,
                            statusLabel: match.status_label,
                            checkedInAt: match.checked_in_at,
                            canCheckIn: match.status === "confirmed" && match.has_ticket,
                        };
                    });
                },
                function (error) {
                    if (!error.network) {
                        notice(error.detail.message, "warning");
                        return [];
                    }
                    return searchOffline(query);
                }
            )
            .then(function (people) {
                list.replaceChildren();
                if (!people.length) {
                    var empty = document.createElement("li");
                    empty.className = "checkin-person checkin-person--empty";
                    empty.textContent = t(M.noMatch, { query: query });
                    list.append(empty);
                    return;
                }
                people.forEach(function (person) {
                    list.append(personRow(person));
                });
            });
    }

    function searchOffline(query) {
        if (!manifest) {
            return [];
        }
        var words = fold(query).split(/\s+/).filter(Boolean);
        return manifest.tickets
            .filter(function (entry) {
                var haystack = fold(entry.name + " " + entry.organisation);
                return words.every(function (word) {
                    return haystack.indexOf(word) >= 0;
                });
            })
            .slice(0, 20)
            .map(function (entry) {
                var local = localIns[entry.code_hash];
                return {
                    registration: entry.registration,
                    name: entry.name,
                    detail: attendeeDetail({ category_label: entry.category_label, seats: entry.seats, organisation: entry.organisation }),
                    status: "confirmed",
                    checkedInAt: entry.checked_in_at || (local && local.at) || null,
                    canCheckIn: true,
                };
            });
    }

    function personRow(person) {
        var item = document.createElement("li");
        item.className = "checkin-person";
        var text = document.createElement("div");
        text.className = "checkin-person__text";
        var name = document.createElement("strong");
        name.textContent = person.name;
        var detail = document.createElement("span");
        var parts = [person.detail];
        if (person.status === "waitlisted") {
            parts.push(M.statusWaitlisted);
        } else if (person.status === "cancelled") {
            parts.push(M.statusCancelled);
        } else if (person.checkedInAt) {
            parts.push(t(M.alreadyIn, { time: frenchTime(person.checkedInAt) }));
        }
        detail.textContent = parts.filter(Boolean).join(" · ");
        text.append(name, detail);
        item.append(text);
        if (person.canCheckIn && !person.checkedInAt) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = "checkin-button checkin-button--primary";
            button.textContent = M.checkIn;
            button.dataset.registration = String(person.registration);
            button.setAttribute("aria-label", M.checkIn + " " + person.name);
            item.append(button);
        }
        return item;
    }

    // Camera -----------------------------------------------------------------------------------------

    var video = role("video");
    var cameraBox = role("camera");
    var cameraButton = app.querySelector('[data-action="camera"]');
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;
    var detector = null;
    var lastText = "";
    var lastSeen = 0;

    function cameraNote(text) {
        var note = role("camera-note");
        note.textContent = text || "";
        note.hidden = !text;
    }

    function startCamera() {
        if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
            cameraNote(M.cameraUnavailable);
            return;
        }
        navigator.mediaDevices
            .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
            .then(function (media) {
                stream = media;
                video.srcObject = stream;
                cameraBox.hidden = false;
                cameraButton.textContent = M.cameraStop;
                cameraNote("");
                return Promise.all([video.play().catch(function () {}), nativeDetector()]);
            })
            .then(function (results) {
                detector = results[1];
                return detector ? null : loadDecoder();
            })
            .then(function () {
                app.dataset.decoder = detector ? "native" : window.jsQR ? "jsqr" : "none";
                scanFrames();
            })
            .catch(function () {
                stopCamera();
                cameraNote(M.cameraUnavailable);
            });
    }

    function stopCamera() {
        if (stream) {
            stream.getTracks().forEach(function (track) {
                track.stop();
            });
        }
        stream = null;
        video.srcObject = null;
        cameraBox.hidden = true;
        cameraButton.textContent = M.cameraStart;
    }

    function nativeDetector() {
        if (!("BarcodeDetector" in window)) {
            return Promise.resolve(null);
        }
        return window.BarcodeDetector.getSupportedFormats()
            .then(function (formats) {
                return formats.indexOf("qr_code") >= 0 ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
            })
            .catch(function () {
                return null;
            });
    }

    function loadDecoder() {
        return new Promise(function (resolve) {
            if (window.jsQR) {
                resolve();
                return;
            }
            var script = document.createElement("script");
            script.src = config.decoder;
            script.onload = resolve;
            script.onerror = resolve;
            document.head.append(script);
        });
    }

    function decodeFrame() {
        if (video.readyState < 2 || !video.videoWidth) {
            return Promise.resolve(null);
        }
        if (detector) {
            return detector.detect(video).then(function (codes) {
                return codes.length ? codes[0].rawValue : null;
            });
        }
        if (!window.jsQR) {
            return Promise.resolve(null);
        }
        // 640 px is plenty for a ticket held up to the phone, and keeps jsQR fast.
        var scale = Math.min(1, 640 / Math.max(video.videoWidth, video.videoHeight));
        var width = Math.round(video.videoWidth * scale);
        var height = Math.round(video.videoHeight * scale);
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var image = context.getImageData(0, 0, width, height);
        var code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
    }

    function scanFrames() {
        if (!stream) {
            return;
        }
        decodeFrame()
            .then(function (text) {
                if (!text) {
                    return;
                }
                var now = Date.now();
                var same = text === lastText && now - lastSeen < SAME_CODE_PAUSE;
                lastSeen = now;
                if (same || busy) {
                    return;
                }
                lastText = text;
                if (navigator.vibrate) {
                    navigator.vibrate(60);
                }
                return submit(text, null);
            })
            .catch(function () {})
            .then(function () {
                setTimeout(scanFrames, detector ? 120 : 200);
            });
    }

    // Wiring ---------------------------------------------------------------------------------------

    app.addEventListener("click", function (event) {
        var target = event.target.closest("button");
        if (!target) {
            return;
        }
        var action = target.dataset.action;
        if (action === "camera") {
            if (stream) {
                stopCamera();
            } else {
                startCamera();
            }
        } else if (action === "dismiss") {
            hideResult();
            role("manual").querySelector("input").focus();
        } else if (action === "undo") {
            undo();
        } else if (action === "sync") {
            notice("");
            sync();
        } else if (action === "tally") {
            tally(Number(target.dataset.delta));
        } else if (target.dataset.registration) {
            submit(null, Number(target.dataset.registration)).then(function () {
                var query = role("search").querySelector("input").value;
                if (query.trim().length >= 2) {
                    search(query.trim());
                }
            });
        }
    });

    role("manual").addEventListener("submit", function (event) {
        event.preventDefault();
        var input = event.target.querySelector("input");
        var value = input.value.trim();
        if (!value) {
            return;
        }
        submit(value, null).then(function () {
            input.value = "";
        });
    });

    role("search").addEventListener("submit", function (event) {
        event.preventDefault();
        var query = event.target.querySelector("input").value.trim();
        if (query.length >= 2) {
            search(query);
        }
    });

    window.addEventListener("online", function () {
        reachable = true;
        renderStatus();
        sync();
    });
    window.addEventListener("offline", renderStatus);
    document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !overlay.hidden) {
            hideResult();
        }
    });

    setInterval(function () {
        if (navigator.onLine) {
            sync();
        }
    }, RETRY_EVERY);

    renderAll();
    if (navigator.onLine) {
        sync();
    }

    // Service worker -----------------------------------------------------------------------------

    function registerServiceWorker(url, settings) {
        if (!url || !("serviceWorker" in navigator)) {
            return;
        }
        navigator.serviceWorker.addEventListener("message", function (event) {
            if (event.data && event.data.type === "precached") {
                document.body.dataset.offlineReady = "true";
            }
        });
        navigator.serviceWorker
            .register(url, { scope: "/pointage/" })
            .then(function () {
                return navigator.serviceWorker.ready;
            })
            .then(function (registration) {
                var urls = settings ? settings.precache : [window.location.pathname];
                registration.active.postMessage({ type: "precache", urls: urls });
            })
            .catch(function () {});
    }
})();

/*
 * The agenda's map (templates/events/agenda/_map.html): one marker per place, drawn with
 * static/js/village-map.js over the list of communes, which gives the same events.
 *
 * The places come from the page's json_script (#agenda-map-data): a point, a label, and the
 * events held there (title, address, date, kind, status). Events at the same place share a
 * marker showing their number; its popup lists them.
 */
(function () {
    "use strict";

    var canvas = document.getElementById("agenda-map");
    if (!canvas || !window.VillageMap) {
        return;
    }
    var VillageMap = window.VillageMap;
    var text = VillageMap.text;

    function icon(point) {
        var allCancelled = point.events.every(function (event) {
            return event.cancelled;
        });
        var count = document.createElement("span");
        count.textContent = String(point.count);
        return window.L.divIcon({
            html: count,
            // 44 px: a finger's target (WCAG 2.5.5).
            iconSize: [44, 44],
            iconAnchor: [22, 22],
            popupAnchor: [0, -20],
            className: "agenda-marker" + (allCancelled ? " agenda-marker--cancelled" : "")
        });
    }

    function popup(point) {
        var box = document.createElement("div");
        box.className = "agenda-popup";
        text(box, "p", point.label, "agenda-popup__title");
        var list = text(box, "ul", "", "agenda-popup__events");
        point.events.forEach(function (event) {
            var item = text(list, "li", "", event.cancelled ? "agenda-popup__event--cancelled" : "");
            text(text(item, "p", "", "agenda-popup__event-title"), "a", event.title).href = event.url;
            text(item, "p", event.when, "agenda-popup__when");
            text(item, "p", [event.kind, event.status].filter(Boolean).join(" · "), "agenda-popup__facts");
        });
        return box;
    }

    VillageMap.create(canvas, VillageMap.readPoints("agenda-map-data"), {
        reveal: canvas.closest(".agenda-map"),
        icon: icon,
        popup: popup
    });
})();

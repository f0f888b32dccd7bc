/*
 * The tour page's map (templates/events/tour_page.html): one marker per stop, drawn with
 * static/js/village-map.js. An enhancement only: the itinerary list before it gives the same
 * information, and the map stays hidden without JavaScript.
 *
 * The stops come from the page's json_script (#tour-map-data). Markers are numbered as in
 * the list.
 */
(function () {
    "use strict";

    var canvas = document.getElementById("tour-map");
    if (!canvas || !window.VillageMap) {
        return;
    }
    var VillageMap = window.VillageMap;
    var text = VillageMap.text;
    var points = VillageMap.readPoints("tour-map-data");

    // Stops at the same place (the same market twice in a season) would hide each other:
    // the second and later ones are drawn around the first, a marker's width away, at any zoom.
    var seen = {};
    var rankAtPlace = points.map(function (point) {
        var key = point.lat.toFixed(5) + "," + point.lng.toFixed(5);
        var rank = seen[key] || 0;
        seen[key] = rank + 1;
        return rank;
    });

    // Numbered markers, the numbers of the itinerary: the map and the list name a stop alike.
    function icon(point, index) {
        var rank = rankAtPlace[index];
        var number = document.createElement("span");
        number.textContent = String(point.number);
        var dx = 0;
        var dy = 0;
        if (rank) {
            var angle = -Math.PI / 2 + (rank - 1) * (Math.PI / 3);
            dx = Math.round(32 * Math.cos(angle));
            dy = Math.round(32 * Math.sin(angle));
        }
        return window.L.divIcon({
            html: number,
            iconSize: [34, 34],
            iconAnchor: [17 - dx, 17 - dy],
            popupAnchor: [0, -16],
            className: "tour-marker tour-marker--" + point.status + (point.is_past ? " tour-marker--past" : "")
        });
    }

    function popup(point) {
        var box = document.createElement("div");
        box.className = "tour-popup";
        var title = text(box, "p", "", "tour-popup__title");
        text(title, "a", point.number + ". " + point.title).href = point.url;
        text(box, "p", point.date, "tour-popup__when");
        text(box, "p", [point.venue, point.commune].filter(Boolean).join(", "), "tour-popup__place");
        var facts = [point.format];
        if (point.status_label) {
            facts.push(point.status_label);
        }
        text(box, "p", facts.join(" · "), "tour-popup__facts" + (point.status_label ? " tour-popup__facts--" + point.status : ""));
        return box;
    }

    VillageMap.create(canvas, points, { reveal: canvas.closest(".tour-map"), icon: icon, popup: popup });
})();

/*
 * The volunteering map (templates/volunteers/map.html): one marker per commune, drawn with
 * static/js/village-map.js. An enhancement only: the list of communes after it gives the same
 * figures, and the map stays hidden without JavaScript.
 *
 * The communes come from the page's json_script (#volunteer-map-data): a commune's name,
 * its centre and its counts, never a person. A marker shows two numbers, volunteers then
 * missions and shifts (the summary above the map says so); its popup links to the commune's
 * section of the list.
 */
(function () {
    "use strict";

    var canvas = document.getElementById("volunteer-map");
    if (!canvas || !window.VillageMap) {
        return;
    }
    var VillageMap = window.VillageMap;
    var text = VillageMap.text;

    // Volunteers on the left, demands on the right. The marker's name (its label) says both
    // counts in words; the figures are drawn by CSS from data-count (volunteers.css), so the
    // name is not a sentence that fails to contain the bare "0 1" shown (WCAG 2.5.3).
    function icon(point) {
        var box = document.createElement("span");
        box.className = "vmap-marker__inner";
        text(box, "span", "", "vmap-marker__offers").dataset.count = String(point.volunteers);
        text(box, "span", "", "vmap-marker__demands").dataset.count = String(point.missions + point.shifts);
        return window.L.divIcon({
            html: box,
            iconSize: [64, 32],
            iconAnchor: [32, 16],
            popupAnchor: [0, -14],
            className: "vmap-marker"
        });
    }

    function popup(point) {
        var box = document.createElement("div");
        box.className = "vmap-popup";
        text(box, "p", point.name, "vmap-popup__title");
        text(text(box, "p", ""), "a", point.volunteers_text).href = "#" + point.anchor + "-offres";
        text(text(box, "p", ""), "a", point.demands_text).href = "#" + point.anchor + "-missions";
        return box;
    }

    VillageMap.create(canvas, VillageMap.readPoints("volunteer-map-data"), {
        reveal: canvas.closest(".vmap"),
        icon: icon,
        popup: popup
    });
})();

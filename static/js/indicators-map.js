/*
 * The communes reached, on the plan's dashboard (templates/indicators/admin/dashboard.html),
 * drawn with the vendored Leaflet. An enhancement only: the table under the map gives the
 * same figures, and the map stays hidden without JavaScript.
 *
 * The communes come from the page's json_script (#indicators-map-data): name, lat, lng,
 * events held, village stops and a label. Each marker shows its commune's number of events,
 * is reached with Tab and named by its label. An empty tile URL (the test settings) draws
 * the markers on a plain background. Text goes in as text nodes, never as HTML.
 */
(function () {
    "use strict";

    var canvas = document.getElementById("indicators-map");
    var source = document.getElementById("indicators-map-data");
    if (!canvas || !source || typeof window.L === "undefined") {
        return;
    }
    var L = window.L;
    var points = JSON.parse(source.textContent).filter(function (point) {
        return typeof point.lat === "number" && typeof point.lng === "number";
    });
    if (!points.length) {
        return;
    }
    var box = canvas.closest(".indicators-map");
    if (box) {
        box.hidden = false;
    }

    var labels = canvas.dataset;
    var map = L.map(canvas, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut }).addTo(map);
    if (labels.tileUrl) {
        L.tileLayer(labels.tileUrl, { maxZoom: 18, attribution: labels.tileAttribution || "" }).addTo(map);
    }

    // A bigger disc for a commune with more events, within reason.
    var most = Math.max.apply(null, points.map(function (point) { return point.events; }));
    function icon(point) {
        var size = Math.round(28 + 20 * (point.events / (most || 1)));
        var number = document.createElement("span");
        number.textContent = String(point.events);
        return L.divIcon({
            html: number,
            iconSize: [size, size],
            iconAnchor: [size / 2, size / 2],
            className: "indicators-marker"
        });
    }

    map.fitBounds(
        points.map(function (point) { return [point.lat, point.lng]; }),
        { padding: [48, 48], maxZoom: 12 }
    );
    points.forEach(function (point) {
        var marker = L.marker([point.lat, point.lng], {
            icon: icon(point),
            title: point.label,
            keyboard: true,
            riseOnHover: true
        });
        var text = document.createElement("p");
        text.textContent = point.label;
        marker.bindPopup(text);
        marker.addTo(map);
        marker.getElement().setAttribute("aria-label", point.label);
    });
})();

/* govscore HTML report: draws the charts from the page's own data (script#report-data) with the
   ECharts written into the page. SVG, so the charts print sharp and scale to the printed page. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var figures = data.figures;
  var font = getComputedStyle(document.body).fontFamily;
  var colourOf = {};
  figures.grades.forEach(function (g) { colourOf[g.label] = g.colour; });
  var BAR = "#2f6fb0", PEER = "#d9480f";
  var charts = [];

  function fixed(value, digits) { return value === null ? "-" : Number(value).toFixed(digits); }

  function fit(chart) {  // a viewBox lets the printed page scale the drawing to its width
    var svg = chart.getDom().querySelector("svg");
    if (svg) svg.setAttribute("viewBox", "0 0 " + chart.getWidth() + " " + chart.getHeight());
  }

  function make(el, option) {
    var chart = echarts.init(el, null, {renderer: "svg"});
    option.animation = false;
    option.textStyle = {fontFamily: font};
    chart.setOption(option);
    fit(chart);
    charts.push(chart);
    return chart;
  }

  function categoryAxis(names, inverse) {
    return {type: "category", data: names, inverse: inverse, axisTick: {show: false},
            axisLabel: {width: 150, overflow: "truncate"}};
  }

  var draw = {
    ranking: function (el) {  // one part of the ranking: units from data-from up to data-to, on the axis of all
      var rows = figures.ranking.slice(Number(el.dataset.from), Number(el.dataset.to));
      var top = Math.max.apply(null, figures.ranking.map(function (r) { return r.value || 0; }));
      make(el, {
        grid: {left: 8, right: 56, top: 10, bottom: 24, containLabel: true},
        xAxis: {type: "value", max: top > 0 ? top * 1.08 : null},
        yAxis: categoryAxis(rows.map(function (r) { return r.name; }), true),
        series: [{type: "bar", barMaxWidth: 14,
                  data: rows.map(function (r) {
                    return {value: r.value, itemStyle: {color: colourOf[r.grade] || BAR}};
                  }),
                  label: {show: true, position: "right", formatter: function (p) { return fixed(p.value, data.score_digits); }}}]
      });
    },
    distributions: function (el) {
      var dims = figures.distributions;
      make(el, {
        grid: {left: 8, right: 24, top: 10, bottom: 24, containLabel: true},
        xAxis: {type: "value", scale: true},
        yAxis: categoryAxis(dims.map(function (d) { return d.label; }), true),
        tooltip: {trigger: "item"},
        series: [{type: "boxplot", itemStyle: {color: "#dcebfb", borderColor: BAR},
                  data: dims.map(function (d) { return [d.min, d.q1, d.median, d.q3, d.max]; })}]
      });
    },
    groups: function (el) {
      var g = figures.groups, cells = [], values = [];
      g.means.forEach(function (row, y) {
        row.forEach(function (v, x) { cells.push([x, y, v]); if (v !== null) values.push(v); });
      });
      make(el, {
        grid: {left: 8, right: 8, top: 10, bottom: 60, containLabel: true},
        xAxis: {type: "category", data: g.dimensions, axisLabel: {interval: 0}},
        yAxis: categoryAxis(g.names, true),
        visualMap: {min: Math.min.apply(null, values), max: Math.max.apply(null, values), calculable: false,
                    text: [fixed(Math.max.apply(null, values), 1), fixed(Math.min.apply(null, values), 1)],
                    orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, precision: 1,
                    inRange: {color: ["#f1f6fb", "#1f5a96"]}},
        series: [{type: "heatmap", data: cells, label: {show: true, formatter: function (p) { return fixed(p.value[2], 2); }}}]
      });
    },
    correlations: function (el) {
      var c = figures.correlations, cells = [];
      c.matrix.forEach(function (row, y) { row.forEach(function (v, x) { cells.push([x, y, v]); }); });
      make(el, {
        grid: {left: 8, right: 8, top: 10, bottom: 70, containLabel: true},
        xAxis: {type: "category", data: c.labels, axisLabel: {interval: 0, rotate: 45, width: 110, overflow: "truncate"}},
        yAxis: categoryAxis(c.labels, true),
        tooltip: {formatter: function (p) { return c.labels[p.value[1]] + " / " + c.labels[p.value[0]] + ": " + fixed(p.value[2], 2); }},
        visualMap: {min: -1, max: 1, text: ["1", "-1"], orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, precision: 1,
                    inRange: {color: ["#b2182b", "#f7f7f7", "#2166ac"]}},
        series: [{type: "heatmap", data: cells,
                  label: {show: c.labels.length <= 16 && (el.clientWidth - 160) / c.labels.length >= 30, fontSize: 10, formatter: function (p) { return fixed(p.value[2], 2); }}}]
      });
    },
    intervals: function (el) {
      var rows = figures.intervals;
      make(el, {
        grid: {left: 8, right: 24, top: 10, bottom: 30, containLabel: true},
        xAxis: {type: "value", name: data.rank_label, nameLocation: "middle", nameGap: 22, minInterval: 1},
        yAxis: categoryAxis(rows.map(function (r) { return r.name; }), true),
        series: [
          {type: "bar", stack: "interval", silent: true, itemStyle: {color: "transparent"}, barMaxWidth: 10,
           data: rows.map(function (r) { return r.low; })},
          {type: "bar", stack: "interval", itemStyle: {color: "#9cc2e5"}, barMaxWidth: 10,
           data: rows.map(function (r) { return r.high - r.low; })},
          {type: "scatter", symbolSize: 7, itemStyle: {color: BAR}, data: rows.map(function (r, i) { return [r.median, i]; })},
          {type: "scatter", symbol: "diamond", symbolSize: 7, itemStyle: {color: PEER},
           data: rows.map(function (r, i) { return [r.nominal, i]; })}]
      });
    },
    profile: function (el) {
      var p = data.profiles[Number(el.dataset.profile)];
      var names = p.dimensions.map(function (d) { return d.label; });
      var numbers = categoryAxis(names, true);  // the numbers in a column of their own, where no tick covers one
      numbers.position = "right";
      numbers.axisLine = {show: false};
      numbers.axisLabel = {fontSize: 10, formatter: function (name, i) { return p.dimensions[i].shown; }};
      make(el, {
        grid: {left: 4, right: 4, top: 4, bottom: 4, containLabel: true},
        xAxis: {type: "value", show: false, max: data.profile_max},
        yAxis: [categoryAxis(names, true), numbers],
        series: [
          {type: "bar", barGap: "-100%", barMaxWidth: 12, itemStyle: {color: p.colour || BAR},
           data: p.dimensions.map(function (d) { return d.value; })},
          {type: "scatter", symbol: "rect", symbolSize: [3, 16], itemStyle: {color: PEER},
           data: p.dimensions.map(function (d, i) { return [d.peers, i]; })}]
      });
    }
  };

  document.querySelectorAll("[data-chart]").forEach(function (el) { draw[el.dataset.chart](el); });
  function resize() { charts.forEach(function (c) { c.resize(); fit(c); }); }
  window.addEventListener("resize", resize);
}());

"""The interactive map of the HTML report: inline SVG (US states, zones shaded, sites, placed names) and a
little inline JavaScript for pan, zoom and a tooltip with each site's plan. No network, no library."""

from __future__ import annotations

import html
import json
import math

import numpy as np
import pandas as pd
import shapely

from ._common import _years
from ._labels import place_labels
from .map import (
    _year_colours,
    state_codes,
    tint,
    us_states,
    view_bounds,
    zone_colours,
    zone_states,
)

#: width of the map in SVG units (about pixels at full width)
WIDTH = 1000.0
FONT = 12.0

_CSS = """
.sitemap{position:relative;border:1px solid #d8d8d8;background:#eaf1f6;margin:0.6em 0 0.4em;overflow:hidden}
.sitemap svg{display:block;width:100%;height:auto;max-height:680px;touch-action:none;cursor:grab;user-select:none}
.sitemap svg.dragging{cursor:grabbing}
.sitemap .state{fill:#f4f3ef;stroke:#b5b5b5;stroke-width:0.8;vector-effect:non-scaling-stroke}
.sitemap .zone{stroke:#6f6f6f;stroke-width:1.2;vector-effect:non-scaling-stroke}
.sitemap .site{stroke:#111;stroke-width:1;vector-effect:non-scaling-stroke;cursor:pointer}
.sitemap .site.other{fill:none;stroke:#7f7f7f;stroke-width:1.5}
.sitemap .site:hover,.sitemap .site:focus{stroke:#d62728;stroke-width:2.5;outline:none}
.sitemap text{font-family:system-ui,sans-serif;pointer-events:none}
.sitemap .lead{stroke:#6a6a6a;stroke-width:0.8;vector-effect:non-scaling-stroke}
.sitemap .ctl{position:absolute;top:8px;right:8px;display:flex;gap:4px}
.sitemap .ctl button{width:30px;height:30px;font-size:16px;border:1px solid #999;background:#fff;border-radius:3px;
cursor:pointer}
.sitemap .maptip{position:absolute;display:none;pointer-events:none;background:#fff;border:1px solid #888;
border-radius:4px;padding:6px 9px;font-size:0.82em;max-width:340px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
.sitemap .maptip table{margin:3px 0 0;font-size:1em}.sitemap .maptip td,.sitemap .maptip th{padding:1px 6px 1px 0;
border:none}
"""

_JS = r"""
(function(){
var box=document.getElementById('sitemap'); if(!box) return;
var svg=box.querySelector('svg'), tip=box.querySelector('.maptip');
var plans=JSON.parse(document.getElementById('sitemap-data').textContent);
var v0=svg.getAttribute('viewBox').split(' ').map(Number), vb=v0.slice();
function scale(){return vb[2]/v0[2];}
function redraw(){
  svg.setAttribute('viewBox',vb.join(' ')); var s=scale();
  svg.querySelectorAll('[data-r]').forEach(function(c){c.setAttribute('r',c.dataset.r*s);});
  svg.querySelectorAll('text[data-ax]').forEach(function(t){
    var x=+t.dataset.ax+t.dataset.dx*s, y=+t.dataset.ay+t.dataset.dy*s;
    t.setAttribute('x',x); t.setAttribute('y',y); t.setAttribute('font-size',t.dataset.fs*s);
    var l=t.previousElementSibling; if(l&&l.classList.contains('lead')){l.setAttribute('x2',x);l.setAttribute('y2',y);}
  });
  svg.dataset.zoom=(1/s).toFixed(3);
}
function toSvg(cx,cy){var r=svg.getBoundingClientRect();
  return [vb[0]+(cx-r.left)/r.width*vb[2], vb[1]+(cy-r.top)/r.height*vb[3]];}
function zoom(f,cx,cy){
  var r=svg.getBoundingClientRect(); if(cx===undefined){cx=r.left+r.width/2;cy=r.top+r.height/2;}
  var p=toSvg(cx,cy), w=Math.min(v0[2]*4,Math.max(v0[2]/40,vb[2]/f)), k=w/vb[2];
  vb=[p[0]-(p[0]-vb[0])*k, p[1]-(p[1]-vb[1])*k, w, vb[3]*k]; redraw();
}
svg.addEventListener('wheel',function(e){e.preventDefault(); zoom(e.deltaY<0?1.25:0.8,e.clientX,e.clientY);},
  {passive:false});
svg.addEventListener('dblclick',function(e){zoom(2,e.clientX,e.clientY);});
var drag=null;
svg.addEventListener('pointerdown',function(e){drag=[e.clientX,e.clientY,vb[0],vb[1]];svg.classList.add('dragging');
  if(svg.setPointerCapture) try{svg.setPointerCapture(e.pointerId);}catch(err){}});
svg.addEventListener('pointermove',function(e){ if(!drag) return; var r=svg.getBoundingClientRect();
  vb[0]=drag[2]-(e.clientX-drag[0])/r.width*vb[2]; vb[1]=drag[3]-(e.clientY-drag[1])/r.height*vb[3]; redraw();});
function stop(){drag=null;svg.classList.remove('dragging');}
svg.addEventListener('pointerup',stop); svg.addEventListener('pointercancel',stop);
box.querySelector('.zin').onclick=function(){zoom(1.5);};
box.querySelector('.zout').onclick=function(){zoom(1/1.5);};
box.querySelector('.zreset').onclick=function(){vb=v0.slice();redraw();};
var ENT={'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'};
function esc(s){return String(s).replace(/[&<>"]/g,function(c){return ENT[c];});}
function fmt(v){return Number(v).toLocaleString('en-US',{maximumFractionDigits:v<10?2:0});}
function html(name){var p=plans[name]; if(!p) return '';
  var h='<b>'+esc(name)+'</b> ('+esc(p.zone)+')<br>'+(p.first_year?'in service from '+p.first_year:'not chosen');
  var ys=Object.keys(p.it_mw);
  if(p.first_year){ h+='<table><tr><th>year</th>'+ys.map(function(y){return '<th>'+y+'</th>';}).join('')+'</tr>'+
    '<tr><td>IT MW</td>'+ys.map(function(y){return '<td>'+fmt(p.it_mw[y])+'</td>';}).join('')+'</tr></table>';
    var ts=Object.keys(p.power_mw);
    if(ts.length) h+='power '+p.power_year+': '+
      ts.map(function(t){return esc(t)+' '+fmt(p.power_mw[t])+' MW';}).join(', ');
  }
  return h;}
function show(e,name){tip.innerHTML=html(name); tip.style.display='block';
  var r=box.getBoundingClientRect(), x=e.clientX-r.left+14, y=e.clientY-r.top+14;
  if(x+tip.offsetWidth>r.width) x=Math.max(0,x-tip.offsetWidth-28);
  if(y+tip.offsetHeight>r.height) y=Math.max(0,y-tip.offsetHeight-28);
  tip.style.left=x+'px'; tip.style.top=y+'px'; box.dataset.hover=name;}
function hide(){tip.style.display='none'; delete box.dataset.hover;}
svg.querySelectorAll('.site').forEach(function(c){
  c.addEventListener('mouseover',function(e){show(e,c.dataset.site);});
  c.addEventListener('mousemove',function(e){show(e,c.dataset.site);});
  c.addEventListener('mouseout',hide);
  c.addEventListener('focus',function(){var r=c.getBoundingClientRect();
    show({clientX:r.left+r.width/2,clientY:r.top+r.height/2},c.dataset.site);});
  c.addEventListener('blur',hide);
});
redraw();
svg.dataset.ready='1';
svg.dataset.states=svg.querySelectorAll('.state').length;
svg.dataset.sites=svg.querySelectorAll('.site').length;
if(location.hash==='#map-selftest'){
  var c=svg.querySelector('.site.chosen')||svg.querySelector('.site'), out={};
  if(c){var r=c.getBoundingClientRect();
    c.dispatchEvent(new MouseEvent('mouseover',{bubbles:true,clientX:r.left+r.width/2,clientY:r.top+r.height/2}));
    out.hover=box.dataset.hover||''; out.tip=tip.textContent; out.tip_shown=tip.style.display==='block'; hide();}
  var before=vb.slice(), rr=svg.getBoundingClientRect();
  svg.dispatchEvent(new WheelEvent('wheel',{deltaY:-100,clientX:rr.left+rr.width/2,clientY:rr.top+rr.height/2,
    bubbles:true,cancelable:true}));
  out.zoomed=vb[2]<before[2]; out.zoom=+svg.dataset.zoom;
  var b2=vb.slice();
  svg.dispatchEvent(new PointerEvent('pointerdown',{clientX:100,clientY:100,bubbles:true,pointerId:1}));
  svg.dispatchEvent(new PointerEvent('pointermove',{clientX:160,clientY:130,bubbles:true,pointerId:1}));
  svg.dispatchEvent(new PointerEvent('pointerup',{clientX:160,clientY:130,bubbles:true,pointerId:1}));
  out.panned=vb[0]<b2[0]&&vb[1]<b2[1]&&vb[2]===b2[2];
  box.querySelector('.zreset').click(); out.reset=vb.join(' ')===v0.join(' ');
  document.documentElement.dataset.mapSelftest=JSON.stringify(out);
}
})();
"""


def _proj(bounds):
    """lon/lat -> SVG units: equirectangular at the view's middle latitude, y down; returns (f, height)."""
    x0, y0, x1, y1 = bounds
    k = math.cos(math.radians(min(80.0, abs((y0 + y1) / 2))))
    s = WIDTH / ((x1 - x0) * k)

    def f(lon, lat):
        return (np.asarray(lon, dtype=float) - x0) * k * s, (y1 - np.asarray(lat, dtype=float)) * s
    return f, (y1 - y0) * s


def _path(geom, f) -> str:
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for p in polys:
        if p.is_empty or p.geom_type != "Polygon":
            continue
        for ring in [p.exterior, *p.interiors]:
            xs, ys = f(*np.asarray(ring.coords).T[:2])
            pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
            parts.append(f"M{pts}Z")
    return "".join(parts)


def site_plans(res) -> dict:
    """Per site: zone, first year, IT MW by year, power capacity by tech in the last year: the map's tooltip."""
    g = res.sites_geo()
    cap = res.tables["capacity"]
    last = int(cap["year"].max()) if len(cap) else None
    ycols = [c for c in g.columns if c.startswith("it_mw_")]
    out = {}
    for r in g.itertuples(index=False):
        c = cap[(cap["site"] == r.site) & (cap["year"] == last)] if last is not None else cap.iloc[:0]
        c = c.sort_values("capacity_mw", ascending=False)
        out[str(r.site)] = {
            "zone": str(r.zone), "first_year": None if pd.isna(r.first_year) else int(r.first_year),
            "it_mw": {c2.removeprefix("it_mw_"): round(float(getattr(r, c2)), 3) for c2 in ycols},
            "power_year": last, "power_mw": {str(k): round(float(v), 3) for k, v in zip(c["tech"], c["capacity_mw"],
                                                                                         strict=True)},
        }
    return out


def interactive_map(res, zones=None, label_sites: int = 30) -> str:
    """The map as an HTML fragment (its CSS, the SVG, the plans as JSON, the script): pan by dragging, zoom
    with the wheel, a double click or the buttons, hover or focus a site for its plan."""
    g = res.sites_geo()
    z = None
    if zones is not None and len(zones):
        z = zones if zones.crs is None or zones.crs.equals("EPSG:4326") else zones.to_crs("EPSG:4326")
    bounds = view_bounds(g, z)
    if bounds is None:
        return "<p>No sites to map.</p>"
    f, height = _proj(bounds)
    e = html.escape
    parts = [f'<svg viewBox="0 0 {WIDTH:.0f} {height:.1f}" role="img" aria-label="map of the candidate and chosen '
             'sites">']
    states = us_states()
    zcol = zone_colours(list(g["zone"]) + (list(z["zone"]) if z is not None and "zone" in z else []))
    x0, y0, x1, y1 = bounds
    mx, my = (x1 - x0), (y1 - y0)
    wide = (x0 - mx, y0 - my, x1 + mx, y1 + my)  # some room to pan around the view
    anchors: dict = {}
    if states is not None:
        shade = zone_states(g, states) if z is None else pd.Series(dtype=object)
        parts.append('<g class="states">')
        for code, name, geom in zip(states["state"], states["name"], states.geometry, strict=True):
            part = shapely.clip_by_rect(geom, *wide)
            if part.is_empty:
                continue
            fill = f' style="fill:{tint(zcol[shade[code]])}"' if code in shade.index else ""
            parts.append(f'<path class="state" data-state="{e(str(code))}" d="{_path(part, f)}"{fill}>'
                         f'<title>{e(str(name))}</title></path>')
        parts.append("</g>")
        for zone, ss in shade.groupby(shade).groups.items():
            geoms = states.set_index("state").loc[list(ss), "geometry"]
            pt = geoms.iloc[int(np.argmax([gm.area for gm in geoms]))].representative_point()
            anchors[("zone", str(zone))] = (pt.x, pt.y)
        if bounds[2] - bounds[0] < 25.0:
            anchors |= {("state", k): v for k, v in state_codes(states, bounds).items()}
    if z is not None:
        parts.append('<g class="zones">')
        for i, geom in enumerate(z.geometry):
            name = str(z["zone"].iloc[i]) if "zone" in z else f"zone {i + 1}"
            parts.append(f'<path class="zone" d="{_path(shapely.clip_by_rect(geom, *wide), f)}" style="fill:'
                         f'{tint(zcol.get(name, "#cccccc"))};fill-opacity:0.6"><title>{e(name)}</title></path>')
            pt = geom.representative_point()
            anchors[("zone", name)] = (pt.x, pt.y)
        parts.append("</g>")
    parts += _sites_svg(res, g, f, height, label_sites, anchors)
    parts.append("</svg>")
    data = json.dumps(site_plans(res), separators=(",", ":")).replace("</", "<\\/")
    return (f"<style>{_CSS}</style>\n<div class=\"sitemap\" id=\"sitemap\">" + "".join(parts) +
            '<div class="ctl"><button type="button" class="zin" title="zoom in">+</button>'
            '<button type="button" class="zout" title="zoom out">&#8722;</button>'
            '<button type="button" class="zreset" title="whole map">&#8634;</button></div>'
            '<div class="maptip" role="status"></div></div>\n'
            f'<script type="application/json" id="sitemap-data">{data}</script>\n<script>{_JS}</script>\n')


def _sites_svg(res, g, f, height: float, label_sites: int, anchors: dict) -> list[str]:
    """Circles (largest first, so small ones stay on top), area names and site names placed clear of each
    other, with leader lines where moved out."""
    e = html.escape
    xs, ys = f(g.geometry.x.to_numpy(), g.geometry.y.to_numpy())
    chosen = g["chosen"].to_numpy(dtype=bool)
    it = g["it_mw"].fillna(0.0).to_numpy(dtype=float)
    it_max = float(it[chosen].max()) if chosen.any() else 0.0
    r = np.where(chosen, 0.5 * np.sqrt(30.0 + 600.0 * it / it_max) * 1.25 if it_max > 0 else 4.0, 4.5)
    ycol = _year_colours(_years(res))
    out = ['<g class="areas">']
    frame = (0.0, 0.0, WIDTH, height)
    fixed = []
    area = list(anchors)
    if area:
        ax_, ay_ = f(np.array([anchors[a][0] for a in area]), np.array([anchors[a][1] for a in area]))
        sizes = {i: (0.62 * (FONT - 1) * len(a[1]) + 4, (FONT - 1) * 1.3) for i, a in enumerate(area)}
        allxy = np.column_stack([np.r_[ax_, xs], np.r_[ay_, ys]])
        allr = np.r_[np.zeros(len(area)), r]
        for p in place_labels(allxy, allr, sizes, frame, gap=0.0, rings=(0.0, 0.5, 1.5), centred=True):
            kind, name = area[p.index]
            colour, style = ("#9a9a9a", "") if kind == "state" else ("#555555", "font-style:italic;")
            out.append(f'<text x="{p.cx:.1f}" y="{p.cy:.1f}" data-ax="{p.cx:.1f}" data-ay="{p.cy:.1f}" data-dx="0" '
                       f'data-dy="0" data-fs="{FONT - 1:g}" font-size="{FONT - 1:g}" text-anchor="middle" '
                       f'dominant-baseline="central" style="fill:{colour};{style}">{e(name)}</text>')
            fixed.append(p.box)
    out.append('</g><g class="sites">')
    for i in np.argsort(-np.where(chosen, it, -1.0), kind="stable"):
        fy = g["first_year"].iloc[i]
        colour = ycol.get(int(fy), "#4e79a7") if chosen[i] and pd.notna(fy) else "none"
        cls = "site chosen" if chosen[i] else "site other"
        out.append(f'<circle class="{cls}" tabindex="0" data-site="{e(str(g["site"].iloc[i]))}" cx="{xs[i]:.1f}" '
                   f'cy="{ys[i]:.1f}" r="{r[i]:.2f}" data-r="{r[i]:.2f}" data-it-mw="{it[i]:.6g}" '
                   f'style="fill:{colour}"></circle>')
    out.append('</g><g class="labels">')
    idx = [i for i in np.argsort(-np.where(chosen, it, -1.0), kind="stable") if len(g) <= label_sites or chosen[i]]
    sizes = {int(i): (0.6 * FONT * len(str(g["site"].iloc[i])) + 4, FONT * 1.3) for i in idx}
    for p in place_labels(np.column_stack([xs, ys]), r, sizes, frame, gap=2.0, fixed=fixed):
        i = p.index
        dx, dy = p.cx - xs[i], p.cy - ys[i]
        if p.leader:
            out.append(f'<line class="lead" x1="{xs[i]:.1f}" y1="{ys[i]:.1f}" x2="{p.cx:.1f}" y2="{p.cy:.1f}">'
                       "</line>")
        colour = "#111111" if chosen[i] else "#5a5a5a"
        out.append(f'<text x="{p.cx:.1f}" y="{p.cy:.1f}" data-ax="{xs[i]:.1f}" data-ay="{ys[i]:.1f}" '
                   f'data-dx="{dx:.1f}" data-dy="{dy:.1f}" data-fs="{FONT:g}" font-size="{FONT:g}" '
                   f'text-anchor="middle" dominant-baseline="central" paint-order="stroke" '
                   f'style="fill:{colour};stroke:#ffffff;stroke-width:3px;stroke-opacity:0.8">'
                   f"{e(str(g['site'].iloc[i]))}</text>")
    out.append("</g>")
    return out


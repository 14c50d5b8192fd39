"""docs/benchmarks/<scale>.json and .md: the machine, the command, the date, every measurement; the slope when
both scales have run."""

import json
import os
import platform
import sys
from pathlib import Path


def machine() -> dict:
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {"cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / 2**30, 1), "postgresql": postgres,
            "python": sys.version.split()[0], "platform": platform.platform()}


def _ms(value) -> str:
    return "—" if value is None else f"{value:,.1f}"


def _costs(costs) -> str:
    return "；".join(f"`{c['where']}` {c['ms']}" for c in costs or [])


def _met(ok: bool) -> str:
    return "達成" if ok else "**未達**"


def markdown(data: dict, other: dict | None) -> str:
    m = data["machine"]
    gen = data["generation"]
    lines = [f"## {data['scale']} scale（{data['date']}）", "",
             f"`{data['command']}` — {m['cores']} コア, RAM {m['ram_gb']} GB, PostgreSQL {m['postgresql']}, "
             f"Python {m['python']}。各値は {data['repeat']} 回の中央値と p95。", "",
             f"生成 {gen['seconds']} 秒、データベース {data['database_mb']:,} MB。"
             f"世帯 {data['counts']['cases_household']:,}、事例 {data['counts']['cases_case']:,}、"
             f"相談 {data['counts']['cases_consultation']:,}、会議 {data['counts']['meetings_meeting']:,}、"
             f"つなぎ {data['counts']['referrals_referral']:,}、監査 {data['counts']['audit_auditevent']:,}。", "",
             "### 年次集計と SQL の床", "",
             "「キャッシュあり」は画面・API・コマンドがふだん出す値（件数の表から読む）、「キャッシュなし」はデータが"
             "変わった直後の1回目（年度ごとの集計文が、その年度の全区を数える。city と kita は比べる年度と2年度分、"
             "wards は1年度分）です。床は同じ年度を手書きの SQL で数えます（kita の床は北区だけ）。", "",
             "| 対象 | キャッシュあり 中央値 ms | p95 | クエリ | キャッシュなし 中央値 ms | p95 | 床 中央値 ms | 倍率（あり） | 倍率（なし） | 1.5倍以内 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for name, r in data["yearly_report"].items():
        cold = r.get("cold") or {}
        lines.append(f"| {name} | {_ms(r['product']['median_ms'])} | {_ms(r['product']['p95_ms'])} | {r['queries']} | "
                     f"{_ms(cold.get('median_ms'))} | {_ms(cold.get('p95_ms'))} | {_ms(r['floor']['median_ms'])} | "
                     f"{r['ratio']} | {r.get('cold_ratio', '—')} | "
                     f"{_met(r['ratio'] <= 1.5)}（あり）・{_met(r.get('cold_ratio', 99) <= 1.5)}（なし） |")
    c = data["annual_command"]
    lines += ["", f"`annual_report` コマンド（プロセス全体）: 中央値 {_ms(c['median_ms'])} ms、p95 {_ms(c['p95_ms'])} ms"
              f"（目標 1 秒未満: {_met(c['median_ms'] < 1000)}）。", "",
              "### 画面（1人、サーバー内の時間）", "",
              "クエリは2回目の表示のもの。初回はキャッシュ（年次の件数・描画）を埋める分だけ多くなります。", "",
              "| 画面 | 中央値 ms | p95 | クエリ | 初回のクエリ | 規模で変わるクエリ数 | p95 100 ms 未満 | 上位3つのコスト（自身の時間、ms/表示） |",
              "|---|---:|---:|---:|---:|---|---|---|"]
    other_queries = {p["label"]: p["queries"] for p in (other or {}).get("pages", [])}
    for p in data["pages"]:
        if p["status"] != 200:
            lines.append(f"| {p['label']} | **HTTP {p['status']}** | | | | | | |")
            continue
        flag = "" if p["label"] not in other_queries or other_queries[p["label"]] == p["queries"] else \
            f"**{other_queries[p['label']]} → {p['queries']}**"
        lines.append(f"| {p['label']} | {_ms(p['median_ms'])} | {_ms(p['p95_ms'])} | {p['queries']} | "
                     f"{p.get('cold_queries', '')} | {flag} | {_met(p['p95_ms'] < 100)} | {_costs(p.get('top_costs'))} |")
    load = data.get("load")
    if load:
        lines += ["", f"### 負荷（gunicorn {load['workers']} ワーカー、locust {load['clients']} ユーザー、各 {load['seconds_per_page']} 秒）",
                  "", "| 画面 | req/s | 床との比 | p50 ms | p95 ms | エラー | 床の25%以上 |", "|---|---:|---:|---:|---:|---:|---|"]
        for p in load["pages"]:
            lines.append(f"| {p['label']} | {p['rps']} | {p['ratio_to_floor']} | {p['p50_ms'] or '—'} | {p['p95_ms'] or '—'} | "
                         f"{p['errors']} | {_met(p['ratio_to_floor'] >= 0.25) if p['name'] != 'bench_shell' else '（床）'} |")
    lines += ["", "### 台帳の取り込みと出力", "", "| 行 | 秒 | 行/秒 | ピーク RSS MB | 毎秒1万行・300 MB 未満 |", "|---:|---:|---:|---:|---|"]
    for r in data["ledger_imports"]:
        lines.append(f"| {r['rows']:,} | {r['seconds']} | {r['rows_per_s']:,} | {r['peak_rss_mb']} | "
                     f"{_met(r['rows_per_s'] >= 10_000 and r['peak_rss_mb'] < 300)} |")
    e = data["exports"]
    lines += ["", f"開催台帳 xlsx（{e['ledger_xlsx']['rows']:,} 行）: {e['ledger_xlsx']['seconds']} 秒、"
              f"{e['ledger_xlsx']['bytes'] / 1e6:.1f} MB。年次集計 xlsx: {e['annual_xlsx']['seconds']} 秒、"
              f"{e['annual_xlsx']['bytes'] / 1e3:.0f} kB。"]
    if data.get("unmeasured"):
        lines += ["", f"測っていない URL: {', '.join(data['unmeasured'])}"]
    slope = data.get("slope")
    if slope:
        lines += ["", "### 規模の傾き（city ÷ small）", "", "| 測定 | 倍率 |", "|---|---:|"]
        lines += [f"| {name} | {ratio} |" for name, ratio in slope.items()]
    return "\n".join(lines) + "\n"


def slope(city: dict, small: dict) -> dict:
    """city/small time ratios of every measurement both have."""
    out = {}
    for name in city["yearly_report"]:
        if name in small["yearly_report"]:
            out[f"年次集計 {name}"] = round(city["yearly_report"][name]["product"]["median_ms"]
                                        / max(small["yearly_report"][name]["product"]["median_ms"], 0.01), 1)
    out["annual_report コマンド"] = round(city["annual_command"]["median_ms"] / max(small["annual_command"]["median_ms"], 0.01), 1)
    small_pages = {p["label"]: p for p in small["pages"]}
    for p in city["pages"]:
        if p["label"] in small_pages and "median_ms" in p and "median_ms" in small_pages[p["label"]]:
            out[p["label"]] = round(p["median_ms"] / max(small_pages[p["label"]]["median_ms"], 0.01), 1)
    return out


def write(data: dict, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    other_name = "small" if data["scale"] == "city" else "city"
    other_path = folder / f"{other_name}.json"
    other = json.loads(other_path.read_text(encoding="utf-8")) if other_path.exists() else None
    if other is not None:
        city, small = (data, other) if data["scale"] == "city" else (other, data)
        data["slope"] = slope(city, small)
    json_path, md_path = folder / f"{data['scale']}.json", folder / f"{data['scale']}.md"
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(data, other), encoding="utf-8")
    return json_path, md_path

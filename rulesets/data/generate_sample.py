"""Generate the SYNTHETIC sample data in communities.csv (run: python rulesets/data/generate_sample.py).

Every figure is invented from a fixed random seed; the magnitudes are meant to look like the
ledgers of Chinese urban and rural communities, but no real community is described. A few cells
are left blank or marked 暂无 ("not yet available") on purpose, so the shipped rulesets show
their missing-value policies, and large counts are written with thousands separators, as
spreadsheets export them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 20261125
TOWNSHIPS = ["城关街道", "东湖镇", "西山镇", "南桥镇", "北岭乡", "河口镇"]
NAMES = ["幸福", "和平", "建设", "光明", "新华", "民主", "团结", "友谊", "春晖", "丰收", "青松", "长安"]
COLUMNS = [
    ("社区编码", "id"), ("社区名称", "name"), ("所属乡镇", "township"), ("年度", "year"),
    ("常住人口", "population"), ("社区工作者人数", "staff"), ("治理经费_万元", "budget"),
    ("服务场所面积_平方米", "facility_area"), ("办结服务事项数", "services"), ("调解成功纠纷数", "disputes_resolved"),
    ("受理纠纷数", "disputes_received"), ("志愿服务时长_小时", "volunteer_hours"), ("注册志愿者人数", "volunteers"),
    ("社会组织数量", "social_orgs"), ("居民议事参与率_pct", "participation"), ("法律顾问服务时长_小时", "legal_hours"),
    ("信访件数", "petitions"), ("网格化覆盖率_pct", "grid_coverage"), ("政务服务网办率_pct", "online_rate"),
    ("智能感知设备数", "smart_devices"), ("诉求平均响应天数", "response_days"), ("本科以上学历占比_pct", "degree_share"),
    ("持证社工人数", "certified_workers"), ("人均培训时长_小时", "training_hours"), ("工作者平均年龄", "mean_age"),
    ("居民满意度_pct", "satisfaction"),
]


def generate(seed: int = SEED) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for t, township in enumerate(TOWNSHIPS):
        urban = 1.0 if t == 0 else (0.8 if t in (1, 3) else 0.6)
        for k, name in enumerate(NAMES):
            capacity = rng.lognormal(0, 0.25) * urban  # how well run the community is, roughly
            pop = int(rng.uniform(3000, 15000) * (1.2 if t == 0 else 1.0))
            staff = max(6, int(pop / rng.uniform(350, 600)))
            disputes = int(pop / rng.uniform(80, 200))
            resolved_rate = min(0.99, rng.uniform(0.75, 0.97) * min(1.05, capacity ** 0.2))
            r = {
                "id": f"C{t + 1}{k + 1:02d}", "name": f"{township}{name}社区", "township": township, "year": 2025,
                "population": pop, "staff": staff,
                "budget": round(rng.uniform(0.012, 0.03) * pop * (0.8 + 0.4 * urban), 1),
                "facility_area": int(rng.uniform(0.08, 0.25) * pop),
                "services": int(pop * rng.uniform(0.6, 1.6) * capacity),
                "disputes_resolved": int(disputes * resolved_rate), "disputes_received": disputes,
                "volunteer_hours": int(pop * rng.uniform(0.3, 1.5) * capacity),
                "volunteers": int(pop * rng.uniform(0.02, 0.09) * capacity ** 0.5),
                "social_orgs": int(rng.integers(2, 18) * urban) + 1,
                "participation": round(min(95, rng.uniform(20, 60) * capacity ** 0.5), 1),
                "legal_hours": int(rng.uniform(40, 220) * urban),
                "petitions": int(pop / 10000 * rng.uniform(2, 14) / capacity ** 0.5),
                "grid_coverage": round(min(100.0, rng.uniform(85, 101)), 1),
                "online_rate": round(min(98, rng.uniform(35, 85) * urban ** 0.5), 1),
                "smart_devices": int(pop / 1000 * rng.uniform(2, 12) * urban),
                "response_days": round(rng.uniform(1.5, 7.0) / capacity ** 0.5, 1),
                "degree_share": round(min(95, rng.uniform(25, 75) * urban ** 0.5), 1),
                "certified_workers": int(staff * rng.uniform(0.1, 0.6)),
                "training_hours": round(rng.uniform(12, 60), 1),
                "mean_age": round(rng.uniform(31, 52), 1),
                "satisfaction": round(min(99, rng.uniform(72, 92) * capacity ** 0.1), 1),
            }
            rows.append(r)
    # a few gaps, as real ledgers have
    rows[4]["budget"] = None
    rows[17]["training_hours"] = "暂无"
    rows[29]["smart_devices"] = None
    rows[41]["participation"] = "-"
    rows[58]["legal_hours"] = None
    return rows


def write(rows, path: Path):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([header for header, _ in COLUMNS])
        for r in rows:
            cells = []
            for _, key in COLUMNS:
                v = r[key]
                if v is None:
                    cells.append("")
                elif isinstance(v, int) and v >= 1000 and key in ("services", "volunteer_hours", "facility_area"):
                    cells.append(f"{v:,}")
                else:
                    cells.append(str(v))
            writer.writerow(cells)


if __name__ == "__main__":
    write(generate(), Path(__file__).with_name("communities.csv"))

"""A feature that meets the layer contract (docs/layer-contract.md), for tests to copy and break."""

from __future__ import annotations

GOOD = {
    "type": "Feature",
    "properties": {
        "id": "gz-bio-island",
        "name": "广州国际生物岛",
        "aliases": ["生物岛"],
        "role": "zone",
        "plans": ["gz_sti"],
        "plan_roles": {"gz_sti": {"role": "zone", "group": None}},
        "district": ["黄埔区", "海珠区"],
        "industries": ["生物医药"],
        "excerpts": [
            {
                "plan": "gz_sti",
                "seed": "004_c53a813f44610f0f.txt",
                "section": "三、优化提升空间布局，擘画科技创新蓝图 › （一）强化“一轴”核心驱动 › "
                "专栏“一轴”重点建设内容 › 科技创新轴（黄埔段）",
                "text": "广州国际生物岛依托国家实验室、省实验室等优势资源",
            }
        ],
        "location_source": "best knowledge: centre of the island",
        "location_precision_m": 400,
        "axis_segment": [],
        "members": [],
    },
    "geometry": {"type": "Point", "coordinates": [113.3665, 23.0855]},
}

"""The interface's words in English and Chinese (zh-CN), one entry per key so that neither language
lacks one: every diagnostic code's meaning, the messages and hints staff meet most, the words of
command output and the headings of reports; and which language to speak (--lang, else the
ruleset's "language", else the locale).

A diagnostic made with engine.diagnostics.said() carries its message key and details, and is shown
in either language; one raised with a plain English message shows, in Chinese, its code's meaning
first and then the English details.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

LANGUAGES = ("en", "zh")

# code -> (English, Chinese) one-line meaning. Codes starting E_PLUGIN or E_INTERNAL exit with EXIT_FAILURE.
TITLES: dict[str, tuple[str, str]] = {
    "E_FILE_NOT_FOUND": ("a file named on the command line or in the ruleset does not exist", "命令行或规则集中指定的文件不存在"),
    "E_FILE_UNREADABLE": ("a file exists but cannot be read", "文件存在但无法读取"),
    "E_JSON_SYNTAX": ("the ruleset is not valid JSON", "规则集不是有效的 JSON"),
    "E_JSON_DUPLICATE_KEY": ("the same key appears twice in one JSON object", "同一个 JSON 对象中出现了两次相同的键"),
    "E_JSON_NOT_FINITE": ("NaN or Infinity appear in the ruleset, which JSON does not allow", "规则集中出现了 JSON 不允许的 NaN 或 Infinity"),
    "E_JSON_TOO_DEEP": ("the ruleset nests objects or arrays too deeply", "规则集中对象或数组嵌套过深"),
    "E_JSON_TOO_LARGE": ("the ruleset file is larger than the engine accepts", "规则集文件超过引擎接受的大小"),
    "E_SCHEMA_REQUIRED": ("a required property is missing", "缺少必填属性"),
    "E_SCHEMA_UNKNOWN_KEY": ("a property that the ruleset format does not have", "规则集格式中没有这个属性"),
    "E_SCHEMA_TYPE": ("a value of the wrong type", "值的类型不对"),
    "E_SCHEMA_VALUE": ("a value outside what the format allows", "值超出格式允许的范围"),
    "E_FORMAT_VERSION": ("the ruleset declares a format version this engine does not read", "规则集声明的格式版本本引擎无法读取"),
    "E_UNKNOWN_NAME": ("a name that is not declared in the ruleset", "名称未在规则集中声明"),
    "E_DUPLICATE_NAME": ("one name declared twice (as an indicator and a node, say)", "同一名称被声明了两次（例如既是指标又是节点）"),
    "E_CYCLE": ("quantities that depend on each other in a circle", "若干量之间循环依赖"),
    "E_UNKNOWN_METHOD": ("a method (normaliser, weighting, aggregator, source, output) no plugin provides", "没有插件提供该方法（标准化、赋权、合成、数据源或输出）"),
    "E_PARAMS": ("parameters that do not fit the chosen method", "参数与所选方法不符"),
    "E_DIRECTION": ("a direction the chosen normaliser cannot apply, or a direction without its bounds", "所选标准化方法无法处理该指标方向，或该方向缺少边界"),
    "E_GOALPOSTS": ("goalposts or bounds whose lower end is not below the upper end", "目标值或边界的下限不小于上限"),
    "E_WEIGHTS_SUM": ("weights that must sum to 1 and do not", "权重之和应为 1 但不是"),
    "E_WEIGHTS_MISSING": ("a child of a node that has no weight in the node's weight set", "节点的某个组成部分在权重集中没有权重"),
    "E_WEIGHTS_NEGATIVE": ("a negative weight", "权重为负"),
    "E_WEIGHTS_DATA": ("data from which a weighting cannot derive weights (too few units, constant or negative columns)", "数据不足以推导权重（单位过少、列为常数或为负）"),
    "E_AHP_MATRIX": ("a pairwise judgement matrix that is incomplete, not reciprocal or of the wrong size", "两两比较判断矩阵不完整、不互反或大小不对"),
    "E_AHP_INCONSISTENT": ("a pairwise judgement matrix whose consistency ratio is too high", "两两比较判断矩阵的一致性比率过高"),
    "E_GRADES": ("grade bands that are not in descending order or repeat a label", "等级区间没有从高到低排列，或标签重复"),
    "E_NO_SCORE": ("the headline score is not a node or indicator of the ruleset", "总分不是规则集中的节点或指标"),
    "E_FRAMEWORK": ("a framework workbook that cannot be read as a ruleset", "框架工作簿无法读作规则集"),
    "E_SOURCE_OUTSIDE": ("a ruleset names a data file outside its own folder", "规则集指定了其所在文件夹之外的数据文件"),
    "E_SOURCE": ("a source that cannot serve the units or an indicator", "数据源无法提供单位或指标"),
    "E_FORMULA_SYNTAX": ("a formula that is not a valid expression", "公式不是有效的表达式"),
    "E_FORMULA_FORBIDDEN": ("a formula uses something formulas may not use", "公式使用了公式中不允许的内容"),
    "E_FORMULA_CHARACTER": ("a formula contains a character formulas may not contain", "公式中含有不允许的字符"),
    "E_FORMULA_TOO_COMPLEX": ("a formula that is too long, too large or too deeply nested", "公式过长、过大或嵌套过深"),
    "E_FORMULA_POWER": ("an exponent that is too large", "指数过大"),
    "E_UNKNOWN_FUNCTION": ("a formula calls a function that no plugin provides", "公式调用了没有插件提供的函数"),
    "E_FUNCTION_ARGS": ("a function called with the wrong number of arguments", "函数的参数个数不对"),
    "E_DATA_COLUMN": ("a column the ruleset names is not in the data", "数据中没有规则集所写的列"),
    "E_DATA_ENCODING": ("a data file in an encoding the engine cannot read", "数据文件的编码引擎无法读取"),
    "E_DATA_FORMAT": ("a data file that cannot be parsed", "数据文件无法解析"),
    "E_DATA_SHEET": ("a worksheet the source names is not in the workbook", "工作簿中没有数据源所写的工作表"),
    "E_DATA_QUERY": ("a database query that fails, or that does more than read", "数据库查询失败，或不只是读取数据"),
    "E_DATA_NOT_NUMBER": ("cells that should hold numbers and do not", "应为数字的单元格不是数字"),
    "E_DATA_DUPLICATE_UNIT": ("the same unit id appears twice in one source", "同一数据源中单位编号重复"),
    "E_DATA_NO_UNITS": ("no units to score", "没有可评分的单位"),
    "E_MISSING_VALUE": ("units with a missing value where the ruleset says that is an error", "有单位缺失数值，而规则集规定缺失即为错误"),
    "E_PANEL_UNBALANCED": ("panel data in which a unit lacks a period a method needs", "面板数据中有单位缺少某方法所需的时期"),
    "E_DOMAIN": ("a calculation outside its domain (division by zero, log of a non-positive number…)", "计算超出定义域（除以零、对非正数取对数等）"),
    "E_ZERO_RANGE": ("an indicator with the same value for every unit, so it cannot be rescaled", "指标对所有单位取值相同，无法缩放"),
    "E_OUTPUT": ("an output that cannot be written", "输出无法写入"),
    "E_OUT_OF_CORE": ("something a ruleset asks for that a run out of core (--blocks) cannot do", "规则集要求了分块运行（--blocks）做不到的事"),
    "E_PLUGIN_LOAD": ("a plugin that failed to load", "插件加载失败"),
    "E_PLUGIN_DUPLICATE": ("two plugins register the same name", "两个插件注册了相同的名称"),
    "E_PLUGIN_FAILED": ("a plugin raised an error while working", "插件运行时出错"),
    "E_INTERNAL": ("an error inside the engine", "引擎内部错误"),
    "W_UNUSED": ("something declared and never used", "声明了但从未使用"),
    "W_SCALE": ("a sensitivity alternative that puts some indicators on another scale than the others",
                "敏感性分析的备选方法使部分指标与其他指标处于不同尺度"),
    "W_RANK_ORDER": ("ranks or grades that run against the score method's own order (VIKOR's Q: the lowest is best)",
                     "排名或等级与得分方法本身的优劣方向相反（如 VIKOR 的 Q 越低越好）"),
    "W_NO_SCORE": ("units left without a score (a missing value the ruleset leaves missing, or a method that gives them none)",
                   "有单位没有得分（规则集保留了缺失值，或某个方法没有给出数值）"),
    "W_DROPPED_UNITS": ("units dropped because of missing values", "因缺失值剔除了单位"),
    "W_IMPUTED": ("missing values filled in", "缺失值已填补"),
    "W_COVERAGE": ("units or indicators with data for less than the coverage threshold", "单位或指标的数据覆盖率低于阈值"),
    "W_EXTRA_UNITS": ("a source has unit ids that the unit source does not", "某数据源含有单位数据源中没有的单位编号"),
    "W_METHOD": ("a method's own warning (a constant column given weight 0, an inconsistency accepted...)", "方法自身的提示（常数列权重为 0、接受了不一致等）"),
}

# key -> (English, Chinese): the words around diagnostics and in command output; {fields} are filled in.
WORDS: dict[str, tuple[str, str]] = {
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
    "at": (" at {path}", "，位置 {path}"),
    "units": ("units: {units}", "涉及单位：{units}"),
    "more_units": (" and {n} more", " 等，另有 {n} 个"),
    "table_more": ("... {n} more units (write to a file with -o, or set --format csv)",
                   "……另有 {n} 个单位（用 -o 写入文件，或设 --format csv 查看全部）"),
    "table_dropped": ("{n} unit(s) dropped for missing values: {units}", "{n} 个单位因缺失值被剔除：{units}"),
    "hint": ("hint: {hint}", "提示：{hint}"),
    "wrote": ("wrote {path}", "已写入 {path}"),
    "ruleset_ok": ("{file}: ok", "{file}：通过检查"),
    "editor.open": ("The editor is open at {url}\n(only this computer can reach it; Ctrl-C stops it)",
                    "编辑器已打开：{url}\n（只有本机可以访问；按 Ctrl-C 停止）"),
    "editor.stopped": ("The editor stopped.", "编辑器已停止。"),
    "editor.port_taken": ("port {port} on 127.0.0.1 cannot be used ({reason}); leave --port out to take a free one",
                          "无法使用 127.0.0.1 的端口 {port}（{reason}）；不写 --port 即可自动选用空闲端口"),
    "problems_found": ("{file}: {errors} error(s), {warnings} warning(s)", "{file}：{errors} 个错误，{warnings} 个警告"),
    # engine explain
    "rounded": (" (rounded {value})", "（取整后 {value}）"),
    "period_is": (", period {period}", "，时期 {period}"),
    "rank_of": (", rank {rank} of {n}", "，第 {rank} 名（共 {n} 个）"),
    "no_rank": (", no rank", "，无名次"),
    "group_rank_of": (", {rank} of {n} in {group}", "，在{group}内第 {rank} 名（共 {n} 个）"),
    "grade_is": (", grade {grade}", "，等级 {grade}"),
    "nodes_are": ("nodes: {nodes}", "各节点：{nodes}"),
    "explain_headers": ("indicator|raw|treated|normalised|weight|in score|contribution|group mean (normalised)|best (normalised)",
                        "指标|原始值|处理后|标准化值|权重|总分中权重|贡献|组平均（标准化值）|最佳（标准化值）"),
    "imputed_note": ("* filled in: the unit had no value", "* 已填补：该单位原本没有数值"),
    "additive": ("The contributions add up to the score.", "各项贡献之和等于总分。"),
    "not_additive": ("Contributions are not additive: node {node} does not combine its children linearly.",
                     "贡献不能相加：节点 {node} 不是线性合成。"),
    "log_terms": ("Terms of the logarithm of geometric nodes, (w/Σw)·ln(value): {terms}",
                  "几何平均节点的对数项 (w/Σw)·ln(值)：{terms}"),
    "group_average_of": ("the {group} average", "{group}平均"),
    "the_average": ("the average", "平均"),
    "strongest": ("Strongest, above {where}: {names}", "优势项（高于{where}）：{names}"),
    "weakest": ("Weakest (短板), below {where}: {names}", "短板（低于{where}）：{names}"),
    "obstacles": ("Main obstacles (obstacle degree, 障碍度): {names}", "主要障碍因素（障碍度）：{names}"),
    "no_obstacle": ("No obstacle: the unit is the best on every indicator.", "无障碍因素：该单位在每项指标上都最好。"),
    "obstacles_undefined": ("Obstacle degrees need every indicator normalised onto a fixed range (minmax, goalposts…).",
                            "障碍度要求每项指标都标准化到固定区间（极差标准化、阈值法等）。"),
    "none": ("none", "无"),
    "what_if": ("What if {what}: {label} {before} → {after} ({change}), rank {rank_before} → {rank_after}",
                "假如 {what}：{label} {before} → {after}（{change}），名次 {rank_before} → {rank_after}"),
    "weight_is": ("weight {name} = {value}", "权重 {name} = {value}"),
    # engine stats
    "stats_headers": ("indicator|n|missing|min|max|mean|median|sd|skew|kurtosis|flag",
                      "指标|个数|缺失|最小|最大|平均|中位数|标准差|偏度|峰度|标记"),
    "skewed": ("skewed", "偏态"),
    "sparse": ("sparse", "数据不足"),
    "stats_node": ("{node}: Cronbach's alpha {alpha}, first principal component {share} of the variance",
                   "{node}：克朗巴赫 α {alpha}，第一主成分解释方差 {share}"),
    "collinear_pair": ("  collinear (|r| > 0.9): {a} and {b}", "  共线（|r| > 0.9）：{a} 与 {b}"),
    "negative_pair": ("  negatively correlated: {a} and {b}", "  负相关：{a} 与 {b}"),
    # engine compare
    "compare_summary": ("{n} units in both; scores correlate {pearson} (Pearson), {spearman} (Spearman); ranks move {mean} "
                        "places on average, at most {largest}.",
                        "两者共有 {n} 个单位；得分相关系数 {pearson}（Pearson）、{spearman}（Spearman）；名次平均变化 {mean} 位，"
                        "最多 {largest} 位。"),
    "only_in_first": ("only in the first: {units}", "仅在第一个中：{units}"),
    "only_in_second": ("only in the second: {units}", "仅在第二个中：{units}"),
    "rank_moved": ("  {unit}: rank {a} → {b} ({change})", "  {unit}：名次 {a} → {b}（{change}）"),
    "moved_up": ("up {n}", "上升 {n} 位"),
    "moved_down": ("down {n}", "下降 {n} 位"),
    "differences": ("{n} difference(s) between the rulesets:", "两个规则集之间有 {n} 处不同："),
    # engine sensitivity
    "loo_title": ("Rank shifts when each indicator is left out (largest effect first):",
                  "逐一剔除各指标后的名次变化（影响最大的在前）："),
    "loo_line": ("  {label}: {mean} places on average, at most {largest}", "  {label}：平均变化 {mean} 位，最多 {largest} 位"),
    "mc_title": ("{n} configurations scored (seed {seed}); sensitivity of the mean absolute rank shift to each choice "
                 "(Sobol' indices, ± 95% confidence):",
                 "共评分 {n} 个方案（随机种子 {seed}）；平均绝对名次变化对各项选择的敏感性（Sobol' 指数，± 为 95% 置信区间）："),
    "mc_headers": ("choice|first order|total|alternatives", "选择|一阶指数|总效应指数|备选方案"),
    "mc_units": ("Ranks over the configurations (by nominal rank):", "各方案下的名次（按原方案名次排列）："),
    "mc_unit_headers": ("unit|name|nominal|median|5%|95%", "单位|名称|原方案|中位数|5%|95%"),
    "mc_period": ("period", "期别"),
    "named_at": ("named in the ruleset at {place} ({path})", "规则集中的位置：{place}（{path}）"),
    "mc_factor_normalise": ("normalisation", "标准化方法"),
    "mc_factor_missing": ("imputation", "缺失值填补"),
    "mc_factor_weights": ("weights of {node}", "{node}的权重"),
    "mc_factor_aggregation": ("aggregation of {node}", "{node}的合成方法"),
    "mc_ranks_note": ("median, 5% and 95%: of the unit's ranks over the configurations (a value between two whole ranks "
                      "lies between two configurations' ranks)",
                      "中位数、5% 和 95%：该单位在各方案下名次的分位数（介于两个整数之间的值位于两个方案的名次之间）"),
    # what a weighting reports beside its weights, by the key it reports it under
    "note_CR": ("CR", "一致性比率 CR"),
    "note_CI": ("CI", "一致性指标 CI"),
    "note_RI": ("RI", "随机一致性指标 RI"),
    "note_lambda_max": ("λmax", "最大特征值 λmax"),
    "note_explained": ("variance explained", "解释方差比例"),
    "note_alpha": ("α", "主观权重占比 α"),
    "note_variant": ("variant", "计算方式"),
    "note_W": ("Kendall's W", "肯德尔和谐系数 W"),
    "note_grades": ("units per grade: {grades}", "各等级单位数：{grades}"),
    "note_chi2": ("χ²", "卡方 χ²"),
    "note_p": ("p", "p 值"),
    "note_intercept": ("regression intercept", "回归截距"),
    "note_slope": ("slope", "斜率"),
    "note_r2": ("R²", "决定系数 R²"),
    "note_efficient": ("efficient units", "有效单位数"),
    "note_effch": ("mean efficiency change", "技术效率变化均值"),
    "note_techch": ("mean technical change", "技术进步均值"),
    "note_pech": ("mean pure efficiency change", "纯技术效率变化均值"),
    "note_sech": ("mean scale efficiency change", "规模效率变化均值"),
    "note_tfpch": ("mean TFP change", "全要素生产率变化均值"),
    "note_returns_to_scale": ("returns to scale: {counts}", "规模报酬：{counts}"),
    # a method's choices in words, by key and value ("value_<key>_<value>")
    "value_model_CCR": ("CCR", "CCR 模型"),
    "value_model_BCC": ("BCC", "BCC 模型"),
    "value_orientation_input": ("input-oriented", "投入导向"),
    "value_orientation_output": ("output-oriented", "产出导向"),
    "value_orientation_none": ("non-oriented", "非导向"),
    "value_returns_constant": ("constant returns to scale", "规模报酬不变"),
    "value_returns_variable": ("variable returns to scale", "规模报酬可变"),
    "value_frontier_adjacent": ("adjacent frontiers", "相邻前沿"),
    "value_frontier_sequential": ("sequential frontiers", "序列前沿"),
    "value_frontier_global": ("global frontier", "全局前沿"),
    "value_direction_outputs": ("direction: outputs", "方向：产出"),
    "value_direction_inputs_and_outputs": ("direction: inputs and outputs", "方向：投入与产出"),
    "value_returns_to_scale_increasing": ("increasing", "递增"),
    "value_returns_to_scale_constant": ("constant", "不变"),
    "value_returns_to_scale_decreasing": ("decreasing", "递减"),
    "list_sep": (", ", "、"),
    "clause_sep": ("; ", "；"),
    "mc_noise": ("±{size} uniform noise", "±{size} 均匀扰动"),
    "mc_dirichlet": ("Dirichlet, concentration {size}", "狄利克雷分布，集中度 {size}"),
    # a report's method notes
    "version_is": ("version {version}", "版本 {version}"),
    "scaled_to": ("onto {low}–{high}", "缩放至 {low}–{high}"),
    "direction_higher": ("higher is better", "正向"),
    "direction_lower": ("lower is better", "逆向"),
    "direction_range": ("best within a range", "适度"),
    "treated_with": ("outliers treated by {method}", "先经{method}处理异常值"),
    "normalised_with": ("Normalised by {method}: {indicators}.", "标准化采用{method}：{indicators}。"),
    "not_normalised": ("Used as they are, not normalised: {indicators}.", "直接使用原始数据、不作标准化：{indicators}。"),
    "node_formula": ("{node} = {formula}.", "{node}按公式计算：{formula}。"),
    "node_combines": ("{node} is the {method} of {parts}", "{node}：{parts}，以{method}合成"),
    "with_weights": (" with weights {weights}", "，权重依次为 {weights}"),
    "rounded_before_ranking": ("The score is rounded to {digits} decimals before ranking.", "总分保留 {digits} 位小数后排名。"),
    "grades_are": ("Grades: {bands}.", "等级：{bands}。"),
    # command-line mistakes
    "cli.which_format": ('cannot tell the format from "{path}"; add --format, one of: {formats}',
                         "无法从“{path}”判断输出格式；请加 --format，可选：{formats}"),
    "cli.dask_stdout": ("on Dask each output is a folder of part files: name a folder with -o, not -", "在 Dask 上运行时每个输出都是一个由若干部分文件组成的文件夹：请用 -o 指定文件夹，不能用 -"),
    "cli.size": ("{value} is not a size: write it as 4GiB, 500MB or a number of bytes", "{value} 不是有效的大小：请写成 4GiB、500MB 或字节数"),
    "cli.output_twice": ("{paths} is given more than once: each -o needs a file of its own",
                         "{paths} 出现了不止一次：每个 -o 须写到不同的文件"),
    "cli.option_not_taken": ("{option} is for the formats that take it: {formats}", "{option} 只适用于以下格式：{formats}"),
    "cli.no_format": ('there is no output format "{name}"; available: {formats}', "没有输出格式“{name}”；可用：{formats}"),
    "cli.not_pair": ("{value} is not {form}", "{value} 不是 {form} 的形式"),
    "cli.out_of_range": ("{value}: the number must be finite and within ±{largest}", "{value}：数值须为 ±{largest} 以内的有限数"),
    "cli.samples_with_loo": ("--samples and --seed belong to the Monte Carlo analysis, not to --leave-one-out",
                             "--samples 和 --seed 用于蒙特卡洛分析，不能与 --leave-one-out 一起用"),
    # engine plugins
    "plugins_headers": ("kind|name|title|plugin|origin|description", "类别|名称|方法|插件|来源|说明"),
}


# key -> (English, Chinese): the headings of reports, workbooks and their tables.
REPORT_HEADINGS: dict[str, tuple[str, str]] = {
    "summary": ("Summary", "概况"),
    "ranking": ("Ranking", "排名"),
    "dimensions": ("Dimensions by group", "各组维度得分"),
    "profiles": ("Unit profiles", "单位画像"),
    "weights": ("Weights", "权重"),
    "methods": ("Method notes", "方法说明"),
    "diagnostics": ("Warnings", "提示与警告"),
    "rank": ("Rank", "名次"),
    "unit": ("Unit", "编号"),
    "name": ("Name", "名称"),
    "group": ("Group", "分组"),
    "period": ("Period", "期别"),
    "grade": ("Grade", "等级"),
    "group_rank": ("Rank in group", "组内名次"),
    "treated": ("treated", "处理后"),
    "rounded": ("rounded", "舍入后"),
    "units": ("Units", "单位数"),
    "scored": ("Scored", "有得分"),
    "mean": ("Mean", "平均"),
    "lowest": ("Lowest", "最低"),
    "highest": ("Highest", "最高"),
    "ruleset": ("Ruleset", "规则集"),
    "engine": ("Engine", "引擎"),
    "grades": ("Grades", "等级分布"),
    "dropped": ("Dropped for missing values", "因缺失值剔除"),
    "child": ("Part", "组成部分"),
    "weight": ("Weight", "权重"),
    "in_score": ("Weight in the score", "在总分中的权重"),
    "node": ("Node", "节点"),
    "method": ("Method", "方法"),
    "all_units": ("All units", "全部单位"),
    "group_average": ("Group average", "组平均"),
    "more": ("{n} more units are in the CSV, JSON or workbook output.", "另有 {n} 个单位，见 CSV、JSON 或工作簿输出。"),
    "none": ("None.", "无。"),
    "code": ("Code", "代码"),
    "message": ("Message", "说明"),
    "indicator": ("Indicator", "指标"),
    "value": ("Value", "数值"),
    "ranking_chart": ("{score} by unit", "各单位{score}"),
    "sheet_scores": ("Scores", "得分排名"),
    "sheet_nodes": ("Nodes", "各节点"),
    "sheet_normalised": ("Normalised", "标准化值"),
    "sheet_contributions": ("Contributions", "贡献"),
    "sheet_weights": ("Weights", "权重"),
    "sheet_diagnostics": ("Warnings", "提示"),
    "sheet_ruleset": ("Ruleset", "规则集"),
    "sheet_run": ("Run", "运行信息"),
    "imputed_legend": ("Filled in: the value was missing and was imputed as the ruleset says",
                       "填补值：原值缺失，已按规则集的规定填补"),
    "treated_legend": ("Treated: an outlier the ruleset's treatment changed before normalising (the raw value is shown)",
                       "已处理：异常值，标准化前已按规则集的规定处理（此处显示原始值）"),
    "sheet_charts": ("Charts", "图表"),
    "key": ("Item", "项目"),
    "colon": (": ", "："),
    "full_stop": (".", "。"),
    "comma": (", ", "，"),
    "raw": ("raw", "原始值"),
    "normalised": ("normalised", "标准化值"),
    "severity": ("Severity", "级别"),
    "weighting": ("Weighting", "赋权方法"),
    "weighting_reported": ("Reported by the weighting", "赋权方法报告的数值"),
    "affected": ("Units concerned", "涉及单位"),
    "statistics": ("Indicator statistics", "指标统计"),
    "reliability": ("Dimensions: consistency and structure", "维度的一致性与结构"),
    "sensitivity": ("Sensitivity of the ranks (Monte Carlo)", "排名敏感性（蒙特卡洛）"),
    "sensitivity_units": ("Ranks over the sampled configurations", "各抽样方案下的名次"),
    "leave_one_out": ("Ranks without each indicator", "逐一剔除指标后的名次变化"),
    "count": ("n", "个数"),
    "missing": ("Missing", "缺失"),
    "sd": ("SD", "标准差"),
    "skew": ("Skewness", "偏度"),
    "kurtosis": ("Kurtosis", "峰度"),
    "flag": ("Flag", "标记"),
    "skewed": ("skewed", "偏态"),
    "sparse": ("sparse", "数据不足"),
    "alpha": ("Cronbach's alpha", "克朗巴赫 α"),
    "pc1": ("First component's share", "第一主成分占比"),
    "collinear": ("Collinear pairs", "共线指标对"),
    "negative": ("Negatively correlated pairs", "负相关指标对"),
    "choice": ("Choice", "选择"),
    "first_order": ("First order", "一阶指数"),
    "total": ("Total", "总效应指数"),
    "alternatives": ("Alternatives", "备选方案"),
    "nominal": ("Nominal", "原方案"),
    "median": ("Median", "中位数"),
    "p5": ("5%", "5%"),
    "p95": ("95%", "95%"),
    "mean_shift": ("Mean rank shift", "平均名次变化"),
    "largest_shift": ("Largest rank shift", "最大名次变化"),
    "provenance": ("Provenance", "数据来源与版本"),
    "data_file": ("Data ({source})", "数据（{source}）"),
    "rows": ("rows", "行"),
    "imputed": ("Filled-in values", "缺失值填补"),
    "how_filled": ("Filled in with", "填补方法"),
    "strengths": ("Strengths", "优势项"),
    "group_heat": ("Mean of each dimension by group", "各组各维度平均得分"),
    "profile_legend": ("Bars: the unit's value, coloured by its grade; red tick: its group's average. Strengths and weak "
                       "points compare the normalised indicators with the group's average; the obstacle degree is each "
                       "indicator's share of what the unit lacks from the best, weighted (w·(1−x′) / Σ w·(1−x′)).",
                       "条形为该单位得分（按等级着色），红色刻度为组平均。优势项和短板是标准化指标与组平均比较的结果；障碍度为各指标"
                       "在该单位与最优之差中所占的加权份额（w·(1−x′) / Σ w·(1−x′)）。"),
    "weaknesses": ("Weak points (短板)", "短板"),
    "obstacles": ("Obstacle degrees", "障碍度"),
    "obstacle": ("Obstacle degree", "障碍度"),
    "peers": ("Group average", "组平均"),
    "score_in_group": ("rank {rank} in group", "组内第 {rank} 名"),
    "distributions": ("Distribution of each dimension", "各维度得分分布"),
    "correlations": ("Correlations between indicators", "指标间相关系数"),
    "correlation_note": ("Pearson correlation of the normalised values over all units.", "全部单位标准化值的皮尔逊相关系数。"),
    "intervals": ("Rank intervals (5%–95%) over the sampled configurations, by median rank",
                  "各抽样方案下的名次区间（5%–95%），按名次中位数排列"),
    "contents": ("Contents", "目录"),
    "page": ("Page", "第"),
    "obstacles_none": ("Obstacle degrees need every indicator normalised onto a fixed range.", "障碍度要求各指标标准化到固定区间。"),
    "units_concerned": ("Units concerned: {units}", "涉及单位：{units}"),
    "and_more": ("and {n} more", "等，另有 {n} 个"),
    "samples": ("{n} configurations scored, seed {seed}; Sobol' indices of the mean absolute rank shift, ± 95% confidence.",
                "共评分 {n} 个方案，随机种子 {seed}；平均绝对名次变化的 Sobol' 指数，± 为 95% 置信区间。"),
}
# lang -> key -> the heading in that language
HEADINGS = {lang: {key: pair[i] for key, pair in REPORT_HEADINGS.items()} for i, lang in enumerate(LANGUAGES)}


def say(key: str, lang: str = "en", **fields) -> str:
    """A word or sentence of the interface in ``lang``, with its fields filled in."""
    return WORDS[key][LANGUAGES.index(lang)].format(**fields)


def aside(text: str, lang: str) -> str:
    """``text`` in brackets after what precedes it: full-width in Chinese; nothing when there is no text."""
    return "" if not text else (f"（{text}）" if lang == "zh" else f" ({text})")


def listed(items, lang: str = "en", separator: str = "list_sep") -> str:
    """Items of a list in a sentence for people: "a, b" in English, "a、b" in Chinese (``separator``
    "clause_sep" joins longer parts: "; " and "；")."""
    return say(separator, lang).join(items)


def title(code: str, lang: str = "en") -> str:
    """What a diagnostic code means, in ``lang``."""
    pair = TITLES.get(code)
    return pair[LANGUAGES.index(lang)] if pair else code


def language(asked: str | None = None, ruleset: str | None = None, environ=None) -> str:
    """The language to speak: ``asked`` (--lang), else the ruleset's declared language, else the locale."""
    environ = os.environ if environ is None else environ
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    for choice in (asked, ruleset, locale):
        if choice:
            return "zh" if choice.lower().replace("_", "-").startswith("zh") else "en"
    return "en"

# key -> (English, Chinese): the messages of the diagnostics policy staff meet most, with their
# details ({fields}) in both languages. A diagnostic made with engine.diagnostics.said() carries the
# key and the fields; one made with a plain message prints that message in either language.
MESSAGES: dict[str, tuple[str, str]] = {
    "file.missing": ("There is no file {file}.", "文件 {file} 不存在。"),
    "source.folder": ('The data file of source "{source}" is a folder, not a file: {location}.',
                      "数据源“{source}”的数据文件是一个文件夹，不是文件：{location}。"),
    "source.not_regular": ('The data file of source "{source}" is not a regular file (a device or a pipe): {location}.',
                           "数据源“{source}”的数据文件不是普通文件（而是设备或管道）：{location}。"),
    "source.outside": ('The data file of source "{source}", {location}, is outside the ruleset\'s folder.',
                       "数据源“{source}”的数据文件 {location} 在规则集所在文件夹之外。"),
    "source.missing": ('The data file of source "{source}" does not exist: {location}.', "数据源“{source}”的数据文件不存在：{location}。"),
    "data.no_column": ('The file {file} has no column "{column}".', "文件 {file} 中没有列“{column}”。"),
    "data.no_column_sheet": ('The sheet {sheet} of {file} has no column "{column}".', "文件 {file} 的工作表 {sheet} 中没有列“{column}”。"),
    "data.no_column_query": ('The query result of {file} has no column "{column}".', "{file} 的查询结果中没有列“{column}”。"),
    "data.not_numbers": ('The column "{column}"{place} of {file} has {count} cell(s) that are not numbers, in rows {cells}.',
                         "{file} 的“{column}”列{place}有 {count} 个单元格不是数字，在第 {cells} 行。"),
    "data.infinite": ('The column "{column}" of {file} has {count} number(s) too large to compute with (beyond ±{largest}), '
                      "or infinite.",
                      "{file} 的“{column}”列有 {count} 个数值过大（超出 ±{largest}）或为无穷大，无法计算。"),
    "data.no_sheet": ('The workbook {file} has no sheet "{sheet}".', "工作簿 {file} 中没有工作表“{sheet}”。"),
    "data.no_sheet_number": ("The workbook {file} has {count} sheet(s), so there is no sheet {sheet}.",
                             "工作簿 {file} 只有 {count} 个工作表，没有第 {sheet} 个。"),
    "units.duplicate": ("Unit ids that appear more than once in {file}.", "{file} 中有重复出现的单位编号。"),
    "blocks.method": ("The {kind} {name} cannot be run out of core: {why}.", "{kind}“{name}”无法分块运行：{why}。"),
    "blocks.sources": ("Out of core, the units and every indicator come from one source; this ruleset reads {sources}.",
                       "分块运行时，单位和所有指标须来自同一个数据源；该规则集读取了 {sources}。"),
    "blocks.long": ('Source "{source}" is in long format, which is read only in memory.', "数据源“{source}”为长表格式，只能整体读入内存。"),
    "blocks.drop_and_mean": ("Dropping units (drop_unit, or coverage.drop_units) together with a mean or median imputation "
                             "(impute_mean, impute_median, or their group forms) is done only in memory, where the means and "
                             "medians are taken again over the units left.",
                             "剔除单位（drop_unit 或 coverage.drop_units）与均值或中位数插补（impute_mean、impute_median 或其分组形式）"
                             "同时使用时只能在内存中运行：均值和中位数要在剩下的单位上重新计算。"),
    "blocks.missing": ('Indicator {name}: the missing-value policy "{policy}" is done only in memory; out of core: {policies}.',
                       "指标“{name}”：缺失值处理“{policy}”只能在内存中运行；分块运行可用：{policies}。"),
    "cluster.not_installed": ("--dask needs Dask, which is not installed.", "--dask 需要 Dask，但尚未安装。"),
    "cluster.changed": ("The ruleset {file} changed while the run was going on; run it again.",
                        "运行期间规则集 {file} 被修改了；请重新运行。"),
    "blocks.function": ("{name}(...) uses every unit at once, which is done only in memory.", "{name}(...) 要同时用到所有单位，只能在内存中运行。"),
    "units.duplicate_source": ('Unit ids that appear more than once in source "{source}" ({file}).',
                               "数据源“{source}”（{file}）中有重复出现的单位编号。"),
    "units.without_id": ("Rows without a unit id in {file}: {rows}.", "{file} 中以下行没有单位编号：{rows}。"),
    "indicator.missing": ('The indicator "{name}" ({label}) has no value for {count} unit(s).',
                          "指标“{name}”（{label}）有 {count} 个单位缺少数值。"),
    "indicator.all_missing": ('No unit has a value for the indicator "{name}" ({label}): there is nothing to score it on.',
                              "没有任何单位有指标“{name}”（{label}）的数值，无法据此评分。"),
    "indicator.imputed": ('Missing values of "{name}" ({label}) were filled in ({policy}).', "指标“{name}”（{label}）的缺失值已填补（{policy}）。"),
    "json.ends_early": ("The file ends where a value was expected.", "文件在应有值的地方结束了。"),
    "json.too_deep": ("Objects and arrays are nested more than {limit} levels deep.", "对象和数组嵌套超过 {limit} 层。"),
    "json.not_finite": ("{word} is not a JSON number.", "{word} 不是 JSON 数字。"),
    "json.number_too_large": ("The number {word} is too large to compute with (beyond ±{largest}).", "数字 {word} 过大（超出 ±{largest}），无法计算。"),
    "json.unexpected": ("Unexpected character {character} where a value was expected.", "应为值的地方出现了意外的字符 {character}。"),
    "json.bad_string": ("Bad string: {detail}.", "字符串有误：{detail}。"),
    "json.key_expected": ("A key in double quotes was expected.", "此处应为带双引号的键。"),
    "json.duplicate_key": ('The key "{name}" appears twice in this object.', "键“{name}”在此对象中出现了两次。"),
    "json.colon_expected": ('A colon was expected after the key "{name}".', "键“{name}”之后应有冒号。"),
    "json.comma_or_brace": ("A comma or a closing }} was expected.", "此处应为逗号或右花括号 }}。"),
    "json.comma_or_bracket": ("A comma or a closing ] was expected.", "此处应为逗号或右方括号 ]。"),
    "json.full_width": ('A full-width "{character}" stands where JSON needs "{ascii}".', "此处应为英文标点“{ascii}”，却是全角的“{character}”。"),
    "json.comment": ("JSON has no comments.", "JSON 中不能写注释。"),
    "json.trailing_comma": ("A comma follows the last item; JSON allows none there.", "最后一项之后有逗号；JSON 不允许这样写。"),
    "json.gbk": ("The ruleset is saved as GBK (GB18030) text; a ruleset is UTF-8.", "规则集以 GBK（GB18030）编码保存；规则集须为 UTF-8 编码。"),
    "json.trailing": ("There is more text after the end of the JSON document.", "JSON 文档结束之后还有其他内容。"),
    "compile.no_method": ('There is no {kind} called "{name}".', "没有名为“{name}”的{kind}。"),
    "compile.indicator_and_node": ('"{name}" is declared both as an indicator and as a node.', "“{name}”既被声明为指标又被声明为节点。"),
    "compile.no_score": ('The score "{name}" is not a node or indicator of this ruleset.', "总分“{name}”不是本规则集的节点或指标。"),
    "compile.units_source": ('The units come from source "{name}", which is not declared.', "单位来自数据源“{name}”，但该数据源未声明。"),
    "compile.indicator_source": ('The indicator "{name}" reads from source "{source}", which is not declared.',
                                 "指标“{name}”读取数据源“{source}”，但该数据源未声明。"),
    "compile.range_without_optimum": ('The indicator "{name}" is best within a range, but has no "optimum".',
                                      "指标“{name}”为适度指标，但没有给出 optimum（最佳区间）。"),
    "compile.normaliser_direction": ('The normaliser "{normaliser}" cannot score the indicator "{name}", whose direction is "{direction}".',
                                     "标准化方法“{normaliser}”无法处理方向为“{direction}”的指标“{name}”。"),
    "compile.normaliser_needs": ('The normaliser "{normaliser}" needs the indicator "{name}" to have a "{need}".',
                                 "标准化方法“{normaliser}”要求指标“{name}”给出 {need}。"),
    "compile.combines_unknown": ('The weight set "{name}" combines "{part}", which is not a weight set.',
                                 "权重集“{name}”组合了“{part}”，但它不是权重集。"),
    "compile.own_child": ('The node "{name}" lists itself as a child.', "节点“{name}”把自己列为组成部分。"),
    "compile.unknown_child": ('The child "{child}" of node "{name}" is not an indicator or node.',
                              "节点“{name}”的组成部分“{child}”不是指标或节点。"),
    "compile.unknown_weight_set": ('The node "{name}" uses the weight set "{weights}", which is not declared.',
                                   "节点“{name}”使用权重集“{weights}”，但该权重集未声明。"),
    "compile.cycle": ("These depend on each other in a circle: {names}.", "以下各项循环依赖：{names}。"),
    "compile.rounding_unknown": ('Rounding names "{name}", which is not a node or indicator.', "取整规则中的“{name}”不是节点或指标。"),
    "compile.grades_unknown": ('Grades name "{name}", which is not a node or indicator.', "等级规则中的“{name}”不是节点或指标。"),
    "compile.unused_weight_set": ('The weight set "{name}" is not used by any node.', "权重集“{name}”没有被任何节点使用。"),
    "compile.direction_unused": ('The indicator "{name}" has a direction, but no node uses it: it is never normalised, so its '
                                 "direction changes nothing.",
                                 "指标“{name}”写了方向，但没有节点使用它：它不会被标准化，方向不起作用。"),
    "compile.weight_for_no_child": ('There is a weight for "{child}", which is not a child of any node weighted with it '
                                    "({children}); it is not used.",
                                    "给“{child}”设了权重，但它不是使用这些权重的任何节点的组成部分（{children}）；该权重不会被使用。"),
    "compile.unused_source": ('The source "{name}" is not used.', "数据源“{name}”没有被使用。"),
    "domain.formula": ("The formula gives no valid number for {count} unit(s): {problem}.",
                       "公式对 {count} 个单位得不到有效数值：{problem}。"),
    "domain.normaliser": ('Normalising "{name}" with {normaliser} gives no valid number for {count} unit(s).',
                          "用 {normaliser} 标准化“{name}”时，有 {count} 个单位得不到有效数值。"),
    "domain.children": ('The method "{method}" of node "{name}" needs every child to be {need}; {count} unit(s) have a child '
                        "that is not.", "节点“{name}”的方法“{method}”要求每个组成部分都{need}；有 {count} 个单位不满足。"),
    "fuzzy.lengths": ("Fuzzy evaluation needs one value per grade: {grades} grades, {values} values.",
                      "模糊综合评价的等级值须与等级一样多：现有 {grades} 个等级、{values} 个等级值。"),
    "fuzzy.scale_length": ('Fuzzy evaluation needs one centre (or plateau) per grade for "{child}": {grades} grades, {scale} '
                           "given.", "模糊综合评价对“{child}”须每个等级一个中心点（或平台区间）：现有 {grades} 个等级，给了 {scale} 个。"),
    "fuzzy.order": ('The centres (or plateaus) for "{child}" must run one way, best grade first: falling when higher values '
                    "are better, rising when lower values are; plateaus [low, high] must not overlap.",
                    "“{child}”的中心点（或平台区间）须按由优到差单向排列：数值越大越好时递减，越小越好时递增；平台区间 [低, 高] 不能重叠。"),
    "fuzzy.no_scale": ('"{child}" is not a fuzzy evaluation itself, so its memberships come from membership functions: give '
                       '"centres" or "plateaus" (one list for every child, or one for "{child}" by name).',
                       "“{child}”本身不是模糊综合评价，其隶属度须由隶属函数求得：请给出 centres 或 plateaus（所有组成部分共用一组，或按名称给“{child}”一组）。"),
    "fuzzy.child_grades": ('"{child}" is evaluated in the grades {theirs}, this node in {ours}: multi-level fuzzy evaluation '
                           "needs the same grades at every level.",
                           "“{child}”的评语集是 {theirs}，本节点是 {ours}：多级模糊综合评价的各级须使用同一评语集。"),
    "fuzzy.values_needed": ('Fuzzy evaluation needs "values", one per grade, for its score: they can be left out only when '
                            "one list of centres or plateaus holds for every child.",
                            "模糊综合评价计算得分需要 values（每个等级一个值）：只有所有组成部分共用一组中心点或平台区间时才可省略。"),
    "fuzzy.declared_children": ("Declared memberships need one child (a column of shares or counts) per grade: {grades} "
                                "grades, {count} children.",
                                "给定隶属度要求每个等级对应一个组成部分（一列比例或人数）：现有 {grades} 个等级、{count} 个组成部分。"),
    "fuzzy.shares_sum": ('The shares of the grades of "{name}" must add up to 1 (give or take {tolerance}); for {count} '
                         "unit(s) they do not.", "“{name}”各等级的隶属度（比例）之和应为 1（允许相差 {tolerance}）；有 {count} 个单位不满足。"),
    "fuzzy.no_answers": ('The counts of answers of "{name}" are all 0 for {count} unit(s): there is nothing to take shares of.',
                         "“{name}”有 {count} 个单位各等级的回答人数都是 0，无法计算隶属度。"),
    "rsr.too_few": ("The rank-sum ratio needs at least three units to rank and regress; there are {count}.",
                    "秩和比法至少需要三个单位才能排秩并回归；现有 {count} 个。"),
    "rsr.cuts": ("The rank-sum ratio's probit cut points must ascend; the ruleset gives {cuts}.",
                 "秩和比法的概率单位分档点须递增；规则集给出的是 {cuts}。"),
    "rsr.labels": ("The rank-sum ratio's {bands} grades need {bands} labels; the ruleset gives {labels}.",
                   "秩和比法的 {bands} 个等级需要 {bands} 个名称；规则集给出了 {labels} 个。"),
    "coupling.too_few": ("Coupling coordination needs two or more subsystems as the node's children; it has {count}.",
                         "耦合协调度至少需要两个子系统作为该节点的组成部分；现有 {count} 个。"),
    "coupling.above_one": ('The node "{name}" computes coupling coordination, which needs every subsystem level between 0 and '
                           "{full}; {count} unit(s) have one above it.",
                           "节点“{name}”计算耦合协调度，要求各子系统水平在 0 到 {full} 之间；有 {count} 个单位的某个子系统超出。"),
    "coupling.all_zero": ("every subsystem is 0 for {count} unit(s): their coupling C and coordination D are set to 0.",
                          "有 {count} 个单位的各子系统均为 0：其耦合度 C 与耦合协调度 D 记为 0。"),
    "aggregate.geometric_zero": ('The node "{name}" is a geometric mean, which needs every child above 0; {count} unit(s) have '
                                 "a child at exactly 0.",
                                 "节点“{name}”为几何平均，要求各组成部分大于 0；有 {count} 个单位的某个组成部分正好为 0。"),
    "domain.node": ('The node "{name}" has no finite value for {count} unit(s) (a division by zero in {method}?).',
                    "节点“{name}”对 {count} 个单位没有有限值（{method} 中除以零？）。"),
    "normalise.zero_range": ('The indicator "{name}" has the same value for every unit ({value}), so it cannot be rescaled.',
                             "指标“{name}”对所有单位取值相同（{value}），无法缩放。"),
    "weights.negative": ('Node "{name}": negative weight for {children}.', "节点“{name}”：{children} 的权重为负。"),
    "weights.zero": ('Node "{name}": the weights sum to 0 and cannot be renormalised.', "节点“{name}”：权重之和为 0，无法重新归一。"),
    "weights.sum": ('The weights of node "{name}" sum to {total}, not 1 ({weights}).', "节点“{name}”的权重之和为 {total}，不是 1（{weights}）。"),
    "compile.column_or_formula": ('The indicator "{name}" needs exactly one of "column" (read from data) or "formula" (computed '
                                  "from other indicators); it has {has}.",
                                  "指标“{name}”须有 column（从数据读取）或 formula（由其他指标计算）之一，且只能有一个；现在{has}。"),
    "compile.which_source": ('The indicator "{name}" does not say which source its column is in.', "指标“{name}”没有写明其列来自哪个数据源。"),
    "compile.formula_source_unused": ('The indicator "{name}" has a formula, so its "source" is not used.',
                                      "指标“{name}”有公式，因此其 source 不会被使用。"),
    "compile.no_group_column": ('The indicator "{name}" is imputed within groups, but the units have no group column.',
                                "指标“{name}”按组填补缺失值，但单位没有分组列。"),
    "compile.no_period_column": ('The indicator "{name}" is filled in over periods, but the units have no period column.',
                                 "指标“{name}”按期别填补缺失值，但单位没有期别列。"),
    "compile.bounds": ('The {bounds} of "{name}" have lower {lower} {relation} upper {upper}.',
                       "“{name}”的 {bounds} 下限 {lower} {relation} 上限 {upper}。"),
    "compile.method_or_formula": ('The node "{name}" needs exactly one of "method" (with "children") or "formula"; it has {has}.',
                                  "节点“{name}”须有 method（及 children）或 formula 之一，且只能有一个；现在{has}。"),
    "compile.formula_part_unused": ('The node "{name}" is a formula, so its "{part}" is not used.', "节点“{name}”是公式，因此其 {part} 不会被使用。"),
    "compile.no_children": ('The node "{name}" has a method but no "children".', "节点“{name}”有 method 但没有 children。"),
    "compile.weights_unused": ('The method "{method}" chooses its own weights, so the weights of node "{name}" are not used.',
                               "方法“{method}”自行确定权重，因此节点“{name}”的权重不会被使用。"),
    "compile.rank_against_method": ('The score comes from "{method}", whose best value is the {best}, but "rank" '
                                    'asks for "{order}": the worst unit will rank first. Leave "order" out to rank by the method.',
                                    "得分来自“{method}”，其最好的值是{best}，但 rank 要求“{order}”：最差的单位将排在第一。"
                                    "去掉 order 即按该方法的方向排名。"),
    "compile.grades_against_method": ('The score comes from "{method}", whose lowest value is best, but the grade bands give "min": '
                                      'give each band "max", the highest value it takes.',
                                      "得分来自“{method}”，其值越低越好，但等级区间写的是 min：请为每一档写 max，即该档的最高值。"),
    "compile.alternative_scale": ('The alternative {method} puts {switched} on another scale than {kept}, which stay normalised '
                                  "as the ruleset says: the analysis would mix scales in one score and move ranks for that "
                                  "reason alone.",
                                  "备选方法 {method} 使 {switched} 与仍按规则集标准化的 {kept} 处于不同尺度：分析会在同一得分中"
                                  "混用不同尺度，排名的变化仅仅来自这种混用。"),
    "compile.grade_twice": ('The grade "{label}" appears twice.', "等级“{label}”出现了两次。"),
    "compile.grade_without_bound": ('Only the last band may leave out "{bound}"; "{label}" is not last.',
                                    "只有最后一档可以不写 {bound}；“{label}”不是最后一档。"),
    "compile.grade_order_max": ('The bands must go from the best down: with "max" (lower is better) each band reaches higher; '
                                '"{label}" ends at {low}, which is not above the band before it ({before}).',
                                "等级须从最好的一档往下写：用 max（越低越好）时每一档的上限须高于上一档；“{label}”的上限 {low} 不高于上一档（{before}）。"),
    "compile.grade_mixed": ('The grade bands mix "min" and "max": give every band "min" (higher is better: the lowest value of the '
                            'band) or every band "max" (lower is better: the highest value of the band).',
                            "等级区间混用了 min 和 max：要么每一档都写 min（越高越好：该档的最低值），要么每一档都写 max（越低越好：该档的最高值）。"),
    "compile.grade_both": ('The grade "{label}" gives both "min" and "max": a band gives one bound, "min" when higher is better or '
                           '"max" when lower is better; the band before it sets the other end.',
                           "等级“{label}”同时写了 min 和 max：每一档只写一个界限，越高越好写 min，越低越好写 max；另一端由上一档决定。"),
    "compile.grade_order": ('The bands must go from the best down: "{label}" starts at {low}, which is not below the band before it '
                            "({before}).", "等级须从高到低排列：“{label}”的下限 {low} 不低于上一档（{before}）。"),
    "compile.path_control": ('The path "{location}" holds the control character {code_point}, which no file name has.',
                             "路径“{location}”含有控制字符 {code_point}，文件名中不会有这样的字符。"),
    "compile.output_outside": ("The output \"{location}\" is outside the ruleset's folder; a ruleset writes only inside its own folder.",
                               "输出“{location}”在规则集所在文件夹之外；规则集只能写入自己的文件夹。"),
    "formula.syntax": ("The formula is not a valid expression ({detail}).", "公式不是有效的表达式（{detail}）。"),
    "formula.empty": ("The formula is empty.", "公式是空的。"),
    "formula.function_as_name": ('"{name}" is a function; call it with arguments, as {name}(...).',
                                 "“{name}”是函数，请带参数调用，如 {name}(...)。"),
    "formula.unknown_name": ('The formula refers to "{name}", which is not declared in this ruleset.',
                             "公式引用了“{name}”，但本规则集中没有声明它。"),
    "formula.unknown_function": ('There is no formula function "{name}".', "没有名为“{name}”的公式函数。"),
    "formula.arguments": ("{name}() takes {expected} argument(s); it was given {count}.", "{name}() 需要 {expected}参数，现在给了 {count} 个。"),
    "weights.in_node": ('Node "{name}": {problem}', "节点“{name}”：{problem}"),
    "weights.no_weight": ("no weight is given for {children}.", "没有给出 {children} 的权重。"),
    "weights.entropy_negative": ("entropy on shares needs values of 0 or more; {children} have negative ones.",
                                 "按比重计算熵权需要不小于 0 的数值；{children} 有负值。"),
    "ahp.inconsistent": ("the consistency ratio CR = {cr} is not below {threshold}; the judgement furthest from the others is {a} "
                         "against {b}: written {written}, while the other judgements imply about {implied}",
                         "一致性比率 CR = {cr}，未低于 {threshold}；与其他判断最不一致的是 {a} 相对于 {b}：写的是 {written}，"
                         "而其他判断意味着约 {implied}"),
    "normalise.target": ('The target of "{name}" is {target}; distance to target needs a target above 0.',
                         "“{name}”的目标值为 {target}；目标距离法需要大于 0 的目标值。"),
    "normalise.inverse": ('"{name}" is lower-is-better and scored as {what} / value, which needs a value above 0.',
                          "“{name}”为逆向指标，按 {what}/数值 计分，需要数值大于 0。"),
    "normalise.log_goalposts": ('The goalposts of "{name}" start at {lower}; with log they must be above 0.',
                                "“{name}”的目标值下限为 {lower}；取对数时必须大于 0。"),
    "normalise.log_values": ('"{name}" is normalised on a log scale, which needs values above 0.', "“{name}”按对数标准化，需要数值大于 0。"),
    "normalise.band_bound": ('The bands of "{name}" give "{wrong}", but "{name}" is {direction}: each band gives "{bound}", the value '
                             "a unit must reach to earn the band's score.",
                             "“{name}”的分档写了“{wrong}”，但它是{direction}指标：每一档应写“{bound}”，即得到该档分数需要达到的数值。"),
    "normalise.band_open": ('Only the last band of "{name}" may leave out "{bound}".', "“{name}”只有最后一档可以不写“{bound}”。"),
    "normalise.band_order": ('The bands of "{name}" go from the best down, so each "{bound}" must be {order} the one before; '
                             "{value} follows {previous}.",
                             "“{name}”的分档须从最好的一档往下写，每一档的“{bound}”须{order}前一档；{previous} 之后是 {value}。"),
    "normalise.band_scores": ('The scores of the bands of "{name}" must not rise from one band to the next; {value} follows {previous}.',
                              "“{name}”各档的分数不能逐档升高；{previous} 之后是 {value}。"),
    "normalise.no_band": ('Some values of "{name}" fall in no band.', "“{name}”有数值不在任何一档内。"),
    "normalise.reference": ('The reference of "{name}" is {reference}; ratio normalisation needs a reference above 0.',
                            "“{name}”的参照值为 {reference}；比值标准化需要大于 0 的参照值。"),
    "ratio.unknown": ("the denominator names {children}, which are not children of the node.", "分母中的 {children} 不是该节点的组成部分。"),
    "ratio.empty": ("every child is in the denominator, so the numerator is empty.", "所有组成部分都在分母中，分子为空。"),
    "grey.constant": ("every unit equals the reference series{where}, so grey relational coefficients are undefined.",
                      "所有单位都等于参考序列{where}，灰色关联系数无法计算。"),
    "copeland.too_many": ("Copeland compares every pair of units; {n} units are more than the {limit} it takes.",
                          "Copeland 方法两两比较所有单位；{n} 个单位超过了上限 {limit}。"),
    "dea.unknown_inputs": ("the DEA inputs {children} are not children of the node.", "DEA 的投入 {children} 不是该节点的组成部分。"),
    "dea.no_output": ("DEA needs at least one output (a child that is not an input).", "DEA 至少需要一个产出（不是投入的组成部分）。"),
    "dea.unsolved": ("a DEA programme could not be solved: {status}.", "有一个 DEA 线性规划无法求解：{status}。"),
    "dea.domain": ("{model} needs every input above 0, no negative output and at least one output above 0.",
                   "{model} 要求每个投入大于 0、产出不为负且至少有一个产出大于 0。"),
    "dea.super_infeasible": ("super-efficiency has no value for {count} unit(s): under {model}, {orientation}, no "
                             "combination of the other units can be their reference, so the programme has no solution. They "
                             "are efficient (efficiency 1) but super-efficiency cannot rank them; under CCR (constant returns "
                             "to scale) they get a value as long as other units produce each of their outputs.",
                             "{count} 个单位没有超效率值：在 {model}、{orientation} 下，其他单位的任何组合都无法作为其参照，"
                             "线性规划无解。它们是有效的（效率为 1），但超效率无法为其排序；改用 CCR（规模报酬不变）时，只要其各项产出"
                             "都有其他单位生产，就会有值。"),
    "sbm.two_roles": ("{children} cannot be both an input and an undesirable output.", "{children} 不能既是投入又是非期望产出。"),
    "sbm.roles": ("SBM needs at least one input and one desirable output (a child that is neither an input nor undesirable).",
                  "SBM 至少需要一个投入和一个期望产出（既不是投入也不是非期望产出的组成部分）。"),
    "sbm.domain": ("SBM divides by every input and output, so each must be above 0.",
                   "SBM 要除以每个投入和产出，因此它们都必须大于 0。"),
    "sbm.super_undesirable": ("super-SBM with undesirable outputs is not available: the variants in use differ in how the "
                              "undesirable outputs enter the score. Use super-SBM without them, or SBM with them.",
                              "暂不提供含非期望产出的超效率 SBM：现有文献对非期望产出如何进入得分有不同写法。请改用不含非期望产出的超效率 SBM，"
                              "或含非期望产出的 SBM。"),
    "malmquist.no_periods": ('The Malmquist index compares periods: the ruleset needs panel data, with the column of periods '
                             'named in "units" as "period".', "Malmquist 指数比较不同时期：规则集需要面板数据，请在 units 中用 period 指明时期列。"),
    "malmquist.one_period": ("The Malmquist index needs at least two periods; the data have one.",
                             "Malmquist 指数至少需要两个时期；数据只有一个时期。"),
    "malmquist.unbalanced": ("The Malmquist index needs every unit in each of the {periods} periods with every input and output; "
                             "{count} unit(s) lack some: {which}.",
                             "Malmquist 指数要求每个单位在全部 {periods} 个时期都有全部投入和产出；有 {count} 个单位缺少某些时期：{which}。"),
    "malmquist.first_period": ("the first period ({period}) has no Malmquist index: it is the base the next period is compared "
                               "with.", "第一个时期（{period}）没有 Malmquist 指数：它是下一时期比较的基期。"),
    "ddf.domain": ("the directional distance function needs every input above 0 and no negative output.",
                   "方向距离函数要求每个投入大于 0、产出不为负。"),
    "dea.too_few": ("{method} needs at least two units with every child present.", "{method}至少需要两个各组成部分都齐全的单位。"),
    "bod.negative": ("{method} needs children of 0 or more.", "{method}要求各组成部分不小于 0。"),
    "bod.zero": ("a unit with every child at 0 has no favourable weights ({method}).", "所有组成部分都为 0 的单位没有有利权重（{method}）。"),
    "bod.unknown_shares": ("shares are bounded for {children}, which are not children.", "为 {children} 设定了占比界限，但它们不是组成部分。"),
    "bod.shares_over_one": ("the lowest shares add up to more than 1.", "各占比下限之和超过 1。"),
    "data.option_unknown_source": ('--data names the source "{name}", which the ruleset does not declare.',
                                   "--data 指定的数据源“{name}”在规则集中没有声明。"),
    "units.all_dropped": ("Every unit was dropped for missing values; nothing is left to score.", "所有单位都因缺失值被剔除，没有可评分的单位。"),
    "units.dropped": ("{count} unit(s) dropped for missing values.", "有 {count} 个单位因缺失值被剔除。"),
    "units.no_rows": ("The unit source {file} has no rows.", "单位数据源 {file} 没有数据行。"),
    "units.extra": ('Source "{source}" has rows for units the unit source does not list; they are ignored.',
                    "数据源“{source}”中有单位数据源未列出的单位，已忽略。"),
    "coverage.units": ("{count} unit(s) have data for less than {limit} of the indicators.", "有 {count} 个单位只有不到 {limit} 的指标有数据。"),
    "units.no_score": ("{count} of {total} unit(s) have no score, because a value they need is missing and the ruleset leaves "
                       "it missing, or a method gives them none (its warning says why): they get no rank and no grade.",
                       "{total} 个单位中有 {count} 个没有得分：它们缺少所需的数值而规则集保留了缺失值，或某个方法没有给出数值"
                       "（见该方法的警告）；这些单位没有名次和等级。"),
    "coverage.units_in_period": ("In period {period}, {count} unit(s) have data for less than {limit} of the indicators.",
                                 "在 {period} 期，有 {count} 个单位只有不到 {limit} 的指标有数据。"),
    "coverage.indicator": ('The indicator "{name}" has data for {share} of the units, less than {limit}.',
                           "指标“{name}”只有 {share} 的单位有数据，低于 {limit}。"),
    "data.unreadable": ("The file {file} cannot be read as {format}: {detail}.", "文件 {file} 无法按 {format} 读取：{detail}。"),
    "data.column_twice": ('The sheet {sheet} of {file} has two columns named "{column}"; the source cannot tell which to read.',
                          "文件 {file} 的工作表 {sheet} 中有两列都叫“{column}”，无法确定读哪一列。"),
    "data.query_failed": ("The query on {file} failed: {detail}.", "对 {file} 的查询失败：{detail}。"),
    "data.unknown_encoding": ('"{encoding}" is not an encoding this engine knows.', "本引擎不认识编码“{encoding}”。"),
    "framework.unreadable": ("The file {file} cannot be read as a workbook: {detail}.", "文件 {file} 无法作为工作簿读取：{detail}。"),
    "framework.no_indicators": ('The workbook {file} has no sheet "{sheet}".', "工作簿 {file} 中没有工作表“{sheet}”。"),
    "framework.empty_cell": ("This cell must not be empty.", "此单元格不能为空。"),
    "framework.unknown_parent": ('"{name}" is not a node of the Nodes sheet.', "“{name}”不是“节点 Nodes”工作表中的节点。"),
    "framework.bad_json": ("This cell holds JSON that cannot be read ({detail}).", "此单元格中的 JSON 无法读取（{detail}）。"),
    "framework.not_held": ("The sheets cannot hold {what}; it is left out.", "工作表无法容纳 {what}，已略去。"),
    "data.ragged": ("Line {line} of {file} has {cells} cell(s), but the header has {width}.",
                    "{file} 的第 {line} 行有 {cells} 个单元格，但表头有 {width} 个。"),
    "data.none_of_the_columns": ("The file {file} has none of the {count} columns the ruleset reads ({columns}); its header "
                                 "row holds: {present}.",
                                 "文件 {file} 中没有规则集要读取的 {count} 列中的任何一列（{columns}）；其表头行为：{present}。"),
    "data.no_columns": ("The file {file} has no columns: it is empty, or holds no header row.",
                        "文件 {file} 没有任何列：它是空的，或者没有表头行。"),
    "data.mixed_encoding": ("The file {file} is UTF-8 text until line {line}, which holds bytes that are not UTF-8 (pasted from "
                            "a GBK file, perhaps); read as GBK, every Chinese label would be garbled.",
                            "文件 {file} 直到第 {line} 行之前都是 UTF-8 文本，第 {line} 行含有不是 UTF-8 的字节（也许是从 GBK 文件粘贴而来）；"
                            "若按 GBK 读取，所有中文标签都会变成乱码。"),
    "data.bad_encoding": ("The file {file} is {what} (a byte that does not fit: {reason}).", "文件 {file} {what}（不符合的字节：{reason}）。"),
    "output.is_input": ("The output {location} is one of the input files; inputs are never overwritten.",
                        "输出 {location} 是输入文件之一；输入文件从不会被覆盖。"),
    "output.unwritable": ("The output {location} cannot be written: {reason}.", "输出 {location} 无法写入：{reason}。"),
    "editor.bad_name": ("\"{name}\" is not a name the ruleset can be saved as: a plain file name ending in .json, in this "
                        "folder.", "“{name}”不能作为规则集的文件名：须是以 .json 结尾的普通文件名，保存在当前文件夹中。"),
    "editor.name_taken": ("A file named {name} exists already; it is not overwritten.", "已有名为 {name} 的文件，不会覆盖它。"),
    "editor.changed_on_disk": ("{file} was changed on disk since the editor opened it; nothing was saved.",
                               "{file} 在编辑器打开后已在磁盘上被修改；未保存。"),
    "weights.too_few_units": ("{method} weights need at least two units with every child present; there are {count}.",
                              "{method} 赋权至少需要两个组成部分齐全的单位；现在只有 {count} 个。"),
    "weights.all_constant": ("every child has the same value for every unit, so {method} weights cannot tell them apart.",
                             "每个组成部分对所有单位取值相同，{method} 赋权无法区分它们。"),
    "weights.cv_mean": ("the coefficient of variation needs a mean above 0; {children} do not have one.",
                        "变异系数法需要均值大于 0；{children} 不满足。"),
    "weights.pca_constant": ("PCA needs every child to vary; {children} do not.", "主成分分析要求每个组成部分都有变化；{children} 没有。"),
    "weights.pca_negative": ("the first principal component loads negatively on {children}, which pull against the other children.",
                             "第一主成分在 {children} 上的载荷为负，它们与其他组成部分方向相反。"),
    "weights.pca_no_positive": ("the first principal component gives no positive loading.", "第一主成分没有正的载荷。"),
    "weights.expert_missing": ("expert {expert} gives no points to {children}.", "第 {expert} 位专家没有给 {children} 打分。"),
    "weights.expert_none": ("expert {expert} gives no points at all.", "第 {expert} 位专家没有给出任何分数。"),
    "weights.product_zero": ("the product of the combined weights is 0 for every child.", "组合权重的乘积对每个组成部分都为 0。"),
    "delphi.all_zero": ("every expert scored every child 0, so the scores give no weights.", "所有专家给所有组成部分的评分均为 0，无法据此定权。"),
    "delphi.disagree": ('the experts disagree on "{child}": its coefficient of variation is {cv}, not below {limit}.',
                        "专家对“{child}”意见分歧较大：其变异系数为 {cv}，未低于 {limit}。"),
    "delphi.not_concordant": ("the experts' rankings do not agree significantly: Kendall's W = {w}, p = {p}, not below {alpha}.",
                              "专家意见的协调程度不显著：Kendall 协调系数 W = {w}，p = {p}，未低于 {alpha}。"),
    "weights.game_theory_zero": ("the game-theory combination found no weight for any of the sets.", "博弈论组合未能为任何权重集求得系数。"),
    "weights.linear_two": ('a linear combination takes exactly two weight sets in "of".', "线性组合的 of 中须恰好有两个权重集。"),
    "ahp.size": ("{which} must have {n} rows of {n} judgements, one for each of {names}.",
                 "{which} 须为 {n} 行、每行 {n} 个判断，分别对应 {names}。"),
    "ahp.not_reciprocal": ("{which} is not a reciprocal judgement matrix: {problems}.", "{which} 不是互反判断矩阵：{problems}。"),
    "ahp.random_index": ("the {table} random-index table stops at {limit} elements; this matrix has {n}.",
                         "{table} 随机一致性指标表只到 {limit} 阶；此矩阵有 {n} 阶。"),
    "weights.order": ("the {method} order must list exactly the node's children ({children}); it lists {order}.",
                      "{method} 的 order 须恰好列出该节点的组成部分（{children}）；现在列的是 {order}。"),
    "g1.ratios": ("G1 needs one ratio for each neighbour in the order, {needed}; the ruleset gives {count}.",
                  "G1 须为排序中每对相邻指标各给一个比值，共 {needed} 个；规则集给出了 {count} 个。"),
    "formula.control_character": ("The formula contains the control character {code_point}.", "公式中含有控制字符 {code_point}。"),
    "formula.character": ('The formula contains "{character}" ({name}), which formulas may not contain.',
                          "公式中含有不允许的字符“{character}”（{name}）。"),
    "formula.too_long": ("The formula is {length} characters long; the limit is {limit}.", "公式长 {length} 个字符，上限为 {limit}。"),
    "formula.too_deep_to_read": ("The formula is nested too deeply to read.", "公式嵌套太深，无法读取。"),
    "formula.too_many_parts": ("The formula has more than {limit} parts.", "公式超过 {limit} 个组成部分。"),
    "formula.too_deep": ("The formula is nested more than {limit} levels deep.", "公式嵌套超过 {limit} 层。"),
    "formula.operator": ('The operator "{symbol}" is not allowed in formulas.', "公式中不允许使用运算符“{symbol}”。"),
    "formula.compare": ("Only < <= > >= == != compare in formulas ('in' and 'is' do not).",
                        "公式中只能用 < <= > >= == != 比较（不能用 in 和 is）。"),
    "formula.not_a_number": ("Formulas work with numbers; {what} is not allowed.", "公式只处理数字；不允许{what}。"),
    "formula.long_number": ("A number in the formula has more than 15 digits.", "公式中的数字超过 15 位。"),
    "formula.huge_number": ("A number in the formula is beyond ±{largest}, which the engine computes with (1e999 reads as "
                            "infinity).", "公式中的数字超出了引擎可计算的范围 ±{largest}（1e999 会被读作无穷大）。"),
    "formula.forbidden": ("Formulas may not use {what}.", "公式中不能使用{what}。"),
    "formula.exponent": ("The exponent {exponent} is larger than the limit of {limit}.", "指数 {exponent} 超过上限 {limit}。"),
    "formula.power_of_power": ("Powers of powers (a ** b ** c) are not allowed.", "不允许幂的幂（a ** b ** c）。"),
    "formula.call_by_name": ("Only registered functions can be called, by their plain name.", "只能按名称调用已注册的函数。"),
    "plugin.failed": ('The {kind} "{name}" ({plugin}) failed on {on}: {error}.', "{kind}“{name}”（{plugin}）处理 {on} 时出错：{error}。"),
    "file.unreadable": ("The file {file} cannot be read: {reason}.", "文件 {file} 无法读取：{reason}。"),
    "json.too_large": ("The ruleset is larger than {limit} bytes.", "规则集超过 {limit} 字节。"),
    "json.lone_surrogate": ("A string holds {code_point}, half of a pair that encodes one character, without its other half.",
                            "字符串中含有 {code_point}：它是表示一个字符的一对编码中的一半，缺少另一半。"),
    "json.nul": ("The ruleset contains a NUL character.", "规则集中含有 NUL 字符。"),
    "units.unknown": ('There is no unit "{unit}".', "没有单位“{unit}”。"),
    "units.no_periods": ('The ruleset has no periods, so there is no period "{period}".', "规则集没有时期，因此没有时期“{period}”。"),
    "units.unknown_period": ('The unit "{unit}" has no row for the period "{period}".', "单位“{unit}”没有时期“{period}”的数据。"),
    "units.was_dropped": ('The unit "{unit}" was dropped for missing values, so it has no score.', "单位“{unit}”因缺失值被剔除，没有得分。"),
    "output.analysis_not_run": ('The output asks for the "{analysis}" analysis, which was not run.',
                                "输出要求包含“{analysis}”分析，但该分析没有运行。"),
    "output.too_many_rows": ("{count} units do not fit in an Excel sheet ({limit} rows at most).",
                             "{count} 个单位放不进一个 Excel 工作表（最多 {limit} 行）。"),
    "compile.per_period_without_period": ("Normalising per period needs a period column, but the units have none.",
                                          "按期别标准化需要期别列，但单位没有。"),
    "compile.combines_combination": ('The weight set "{name}" combines "{part}", which is itself a combination.',
                                     "权重集“{name}”组合了“{part}”，而它本身就是组合。"),
    "compile.needs_fixed": ('Weights written inside a node need the weighting "fixed".', "写在节点内的权重需要 fixed 赋权方法。"),
    "compile.imputation_needs": ('The imputation "{policy}" needs a {role} column, but the units have none.',
                                 "填补方法“{policy}”需要 {role} 列，但单位没有。"),
    "compile.weights_not_varied": ('The method "{method}" of node "{name}" chooses its own weights, so they cannot be varied.',
                                   "节点“{name}”的方法“{method}”自行确定权重，因此无法改变权重。"),
    "compile.no_alternatives": ("The uncertainty section declares no alternative to sample from.", "uncertainty 部分没有声明任何可抽样的备选方案。"),
    "compile.not_an_indicator": ('"{name}" is not an indicator.', "“{name}”不是指标。"),
    "compile.varying_changes_nothing": ('Varying the indicator "{name}" changes nothing: no node uses it this way.',
                                        "改变指标“{name}”不会有任何影响：没有节点以这种方式使用它。"),
    "compile.not_a_node": ('"{name}" is not a node.', "“{name}”不是节点。"),
    "compile.formula_cannot_vary": ('The node "{name}" is a formula; only nodes with a method can vary.', "节点“{name}”是公式；只有带 method 的节点可以改变。"),
    "uncertainty.none": ("The ruleset declares no alternatives to sample from.", "规则集没有声明任何可抽样的备选方案。"),
    "uncertainty.other_units": ("An imputation alternative keeps other units than the ruleset does, so ranks cannot be compared.",
                                "某个填补备选方案保留的单位与规则集不同，名次无法比较。"),
    "data.booleans": ('The column "{column}"{place} of {file} holds true/false, not numbers.',
                      "{file} 的“{column}”列{place}是 true/false，不是数字。"),
    "data.long_twice": ("{file} has more than one row for the same unit and indicator.", "{file} 中同一单位和指标有不止一行。"),
    "data.long_no_indicator": ('{file} has no row for the indicator "{name}" in its column "{column}".',
                               "{file} 的“{column}”列中没有指标“{name}”的行。"),
    "data.json_records": ("{file} should hold an array of records (objects) at {where}.", "{file} 应在{where}有一个记录（对象）数组。"),
    "plugin.wrong_length": ('The {kind} "{name}" returned {got} values for {units_count} units.', "{kind}“{name}”为 {units_count} 个单位返回了 {got} 个值。"),
    "plugin.no_weights": ('The weighting "{name}" ({plugin}) returned no usable weights for node "{node}".',
                          "赋权方法“{name}”（{plugin}）没有为节点“{node}”给出可用的权重。"),
    "schema.format": ('The ruleset says format {found}; this engine reads "{version}".', "规则集声明的格式为 {found}；本引擎读取“{version}”。"),
    "sensitivity.without": ('Without "{name}": {problem}', "去掉“{name}”后：{problem}"),
    "uncertainty.in_configuration": ("In the sampled configuration ({chosen}): {problem}", "在抽样方案（{chosen}）中：{problem}"),
    "schema.required": ('{where} needs the property "{name}".', "{where}缺少属性“{name}”。"),
    "schema.unknown_key": ('"{name}" is not a property of {where}.', "“{name}”不是{where}的属性。"),
    "schema.type": ("{where} must be {expected}, not {found}.", "{where}应为{expected}，而不是{found}。"),
    "schema.enum": ("{where} is {found}; it must be one of: {options}.", "{where}为 {found}，应为以下之一：{options}。"),
    "schema.name": ("{found} is not a usable name.", "{found} 不能用作名称。"),
    "schema.count": ("{where}: {n} {things} given, {bound} {limit} needed.", "{where}有 {n} {things}，{bound} {limit} 个。"),
    "schema.one_of": ("{where} is {found}, which is none of the forms it may take.", "{where}为 {found}，不符合它可取的任何形式。"),
    "schema.bound": ("{where} is {found}; it must be {relation} {limit}.", "{where}为 {found}，应{relation} {limit}。"),
    "schema.length": ("{where} has {n} characters; {bound} {limit} are allowed.", "{where}有 {n} 个字符，{bound} {limit} 个。"),
    "schema.unique": ("{where} lists the same value more than once.", "{where}中有重复的值。"),
    "schema.pattern": ("{where} is {found}, which does not have the form {pattern}.", "{where}为 {found}，不符合格式 {pattern}。"),
    "schema.other": ("{where}: {detail}.", "{where}不符合要求：{detail}。"),
    "json.not_utf8": ("The ruleset is not UTF-8 text (bad byte at offset {offset}).", "规则集不是 UTF-8 文本（第 {offset} 字节处的字节无效）。"),
    "engine.failed": ("The engine failed: {error}.", "引擎出错：{error}。"),
    "plugin.load_failed": ('The plugin "{name}" ({origin}) failed to load: {error}.', "插件“{name}”（{origin}）加载失败：{error}。"),
    "plugin.duplicate": ('The {kind} "{name}" is registered twice: by "{first}" ({first_origin}) and by "{second}" ({second_origin}).',
                         "{kind}“{name}”被注册了两次：由“{first}”（{first_origin}）和“{second}”（{second_origin}）。"),
    "plugin.register_failed": ('The plugin "{name}" failed while registering its {kind} methods: {error}',
                               "插件“{name}”在注册{kind}时出错：{error}"),
    "indicator.nothing_to_fill": ('The indicator "{name}" ({policy}) has nothing to fill in from for {count} unit(s): '
                                  "no value in the whole column, group or earlier periods.",
                                  "指标“{name}”（{policy}）有 {count} 个单位无从填补：整列、组内或此前各期都没有数值。"),
    "whatif.set_unknown": ('--set names "{name}", which is not an indicator read from a column (formula indicators follow from their inputs).',
                           "--set 中的“{name}”不是从数据列读取的指标（公式指标由其输入决定）。"),
    "whatif.weight_unknown": ('--weight names "{name}", which is not a child of a fixed weight set.',
                              "--weight 中的“{name}”不是某个固定权重集中的组成部分。"),
    "whatif.weight_range": ("--weight {name}={value}: the weight must be from 0 to {total}, the total of its node's weights "
                            "(the other children are rescaled to keep that total).",
                            "--weight {name}={value}：权重须在 0 到 {total}（该节点权重之和）之间（其余组成部分按比例调整以保持总和不变）。"),
    "weights.method_warning": ('Node "{name}", weighting "{method}": {problem}', "节点“{name}”，赋权方法“{method}”：{problem}"),
    "node.method_warning": ('Node "{name}", method "{method}": {problem}', "节点“{name}”，合成方法“{method}”：{problem}"),
    "weights.constant_zero": ('"{child}" has the same value for every unit, so its {method} weight is 0.',
                              "“{child}”在所有单位上取值相同，因此其{method}权重为 0。"),
    "ahp.of_expert": ("expert {expert}: {problem}", "专家 {expert}：{problem}"),
    "ahp.expert_weights": ("expert_weights gives {count} weights for {experts} experts, or none above 0.",
                           "expert_weights 为 {experts} 位专家给出了 {count} 个权重，或没有大于 0 的权重。"),
    "ahp.accepted": ("{problem} (accepted by the ruleset).", "{problem}（规则集已声明接受）。"),
    "formula.sum_large": ("the sum is too large", "和过大"),
    "formula.difference_large": ("the difference is too large", "差过大"),
    "formula.product_large": ("the product is too large", "积过大"),
    "formula.division_by_zero": ("division by zero", "除以零"),
    "formula.power": ("the power has no finite value (a negative number to a fractional power, or too large)",
                      "幂没有有限值（负数的分数次幂，或数值过大）"),
    "formula.function_domain": ("{name}(): {domain}", "函数 {name}()：{domain}"),
    "formula.not_finite": ("the result is not a finite number", "结果不是有限数"),
    "formula.beyond": ("the result is beyond ±{largest}, too large to compute with", "结果超出 ±{largest}，过大无法计算"),
    "formula.keywords": ("{name}() takes its arguments by position, without name=.", "{name}() 按位置接收参数，不能写 name=。"),
    "formula.constant_argument": ("Argument {position} of {name}() must be a plain number.", "{name}() 的第 {position} 个参数必须是一个普通数字。"),
    "gra.reference": ("the reference series must give one value for each child of the node{missing}{unknown}.",
                      "参考序列必须为节点的每个组成部分给出一个值{missing}{unknown}。"),
    "gra.reference_missing": ("; it has none for {children}", "；缺少 {children} 的值"),
    "gra.reference_unknown": ("; not children of the node: {children}", "；以下不是该节点的组成部分：{children}"),
}


@dataclass(frozen=True)
class Both:
    """A detail of a message that is itself words, in both languages ("the ruleset", "a number")."""

    en: str
    zh: str

    def __str__(self) -> str:
        return self.en


# The kinds of plugin method, as messages name them.
KINDS = {"source": Both("source format", "数据源格式"), "treatment": Both("treatment", "异常值处理方法"),
         "normaliser": Both("normaliser", "标准化方法"), "weighting": Both("weighting", "赋权方法"),
         "aggregator": Both("aggregator", "合成方法"), "output": Both("output format", "输出格式"),
         "function": Both("function", "函数")}
NOT_RUN_HINT = Both("engine run runs it when an output of the ruleset asks for it", "当规则集的某个输出要求它时，engine run 会运行它")


def in_words(text) -> Both | str:
    """A plugin's words as it registered them: {"en": ..., "zh": ...} as Both (English where the other
    language is missing), a string or Both as it is."""
    if isinstance(text, dict):
        en = text.get("en") or ""
        return Both(en, text.get("zh") or en)
    return text if isinstance(text, (str, Both)) else ""


def pick(value, lang: str):
    return (value.zh if lang == "zh" else value.en) if isinstance(value, Both) else value


class _Unfilled(dict):
    """Details not known yet stay as {field}: a plugin's UnitsError leaves {name} for the engine to fill in."""

    def __missing__(self, key):
        return "{" + key + "}"


def message(key: str, lang: str = "en", **fields) -> str:
    """A diagnostic's message in ``lang``, with its details filled in."""
    return MESSAGES[key][LANGUAGES.index(lang)].format_map(_Unfilled({k: pick(v, lang) for k, v in fields.items()}))


def both(key: str, **fields) -> Both:
    """A message in both languages, to pass on as a detail of another message."""
    return Both(message(key, "en", **fields), message(key, "zh", **fields))


# The hints most diagnostics end with, as patterns over the English hint and their Chinese.
HINTS: list[tuple[re.Pattern, str]] = [
    (re.compile(r'^did you mean "([^"]*)"\?\s*(.*)$'), "是否想写“{0}”？{1}"),
    (re.compile(r"^available: (.*)$"), "可用：{0}"),
    (re.compile(r"^allowed: (.*)$"), "允许的有：{0}"),
    (re.compile(r"^the columns are: (.*)$"), "现有的列：{0}"),
    (re.compile(r"^its sheets: (.*)$"), "工作表有：{0}"),
    (re.compile(r"^choose one of: (.*)$"), "请选择其一：{0}"),
]


def hint_in(hint: str, lang: str) -> str:
    """A hint in ``lang``: the common ones are translated; others stay as written."""
    if lang == "en":
        return hint
    for pattern, zh in HINTS:
        found = pattern.match(hint)
        if found:
            return zh.format(*(hint_in(g, lang) if g else "" for g in found.groups()))
    return hint

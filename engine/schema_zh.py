"""The ruleset schema's descriptions in Chinese, by their English text: ``engine schema --lang zh-CN``
gives editors a schema whose hover help is Chinese. A test keeps every description of the format
translated."""

from __future__ import annotations

ZH: dict[str, str] = {
    "A declarative description of a composite-indicator evaluation, read by govscore.": "对一项综合指标评价的声明式描述，由 govscore 读取。",
    "The JSON Schema for editors; ignored by the engine.": "供编辑器使用的 JSON Schema；引擎忽略此项。",
    "The version of the ruleset format.": "规则集格式的版本。",
    "A short identifier of the ruleset.": "规则集的简短标识。",
    "The evaluation's title.": "评价的标题。",
    "The ruleset's own version.": "规则集自身的版本号。",
    "When this version was adopted.": "此版本的启用日期。",
    "What the evaluation is for.": "评价的目的与说明。",
    "The language of labels, messages and report headings (BCP 47): zh-CN gives Chinese, anything else English; "
    "engine --lang overrides it.": "标签、提示信息和报告标题的语言（BCP 47）：zh-CN 为中文，其他为英文；engine --lang 可覆盖。",
    "The source that lists the units; default: the first source.": "列出评价单位的数据源；默认为第一个数据源。",
    "The column holding each unit's unique id.": "存放各单位唯一编号的列。",
    "The column holding each unit's name.": "存放各单位名称的列。",
    "The column holding each unit's group, for group ranks and summaries.": "存放各单位所属分组（如乡镇）的列，用于组内排名和分组汇总。",
    "The column holding the period (year) for panel data.": "面板数据中存放期别（年份）的列。",
    "The units scored and the columns that describe them.": "被评价的单位，以及描述它们的列。",
    "The file format (engine plugins lists the source formats).": "文件格式（engine plugins 列出可用的数据源格式）。",
    "The file, relative to the ruleset's folder; engine run --data NAME=PATH replaces it.":
        "数据文件，路径相对于规则集所在文件夹；engine run --data 名称=路径 可改读另一个文件。",
    "Options of the format: encoding, NA markers, thousands separator...": "格式选项：编码、缺失值标记、千位分隔符等。",
    "What the file holds and where it comes from.": "文件的内容和来源。",
    "The column that names the indicator of each row; indicators of this source give that name as their column.":
        "标明每行属于哪个指标的列；该数据源的指标以此名称作为其 column。",
    "The column that holds the value.": "存放数值的列。",
    "The file is in long format: a row per unit, indicator (and period), which the engine turns into a column per indicator.":
        "文件为长格式：每个单位、指标（及期别）一行，引擎将其转换为每个指标一列。",
    "A data file.": "一个数据文件。",
    "The data files, by name.": "各数据文件，按名称。",
    "What the indicator is called in results and reports; Chinese is fine.": "指标在结果和报告中的名称；可以用中文。",
    "What the indicator measures and where the figure comes from.": "指标衡量什么，数据从哪里来。",
    "The unit the raw value is measured in.": "原始值的计量单位。",
    "The source the column is read from; default: the source named in units, else the only source.":
        "读取该列的数据源；默认为 units 中指定的数据源，否则为唯一的数据源。",
    "The column of the source that holds the raw value.": "数据源中存放原始值的列。",
    "Computes the raw value from other indicators instead of reading a column.": "由其他指标计算原始值，而不是读取某一列。",
    "higher: more is better (正向); lower: less is better (逆向); range: best within the optimum (适度).":
        "higher：越大越好（正向）；lower：越小越好（逆向）；range：在最优区间内最好（适度）。",
    "The target value, in the raw unit; used by distance-to-target normalisation.": "目标值，用原始单位；供目标完成度标准化使用。",
    "The lower end, in the raw unit of the indicator.": "下限，用指标的原始单位。",
    "The upper end, in the raw unit of the indicator.": "上限，用指标的原始单位。",
    "Fixed lower and upper goalposts, in the raw unit.": "固定的上下阈值，用原始单位。",
    "For direction range: the interval of best values, in the raw unit.": "适度指标（range）的最优区间，用原始单位。",
    "Raw values beyond these bounds are set to the bound before anything else.": "超出这些界限的原始值在一切计算之前先设为界限值。",
    "What to do with a unit that has no value: error (default), drop_unit, impute_mean, impute_median, impute_group_mean "
    "or impute_group_median (within the unit's group), carry_forward or interpolate (over the unit's periods), or leave "
    "(the parent node's missing policy decides).":
        "单位缺少数值时的处理：error（默认，报错）、drop_unit（剔除该单位）、impute_mean、impute_median（均值、中位数填补）、"
        "impute_group_mean 或 impute_group_median（组内填补）、carry_forward 或 interpolate（按该单位的其他期别填补），"
        "或 leave（保留缺失，由上级节点的缺失策略决定）。",
    "For a formula: whether division by zero and the like stop the run (error, default) or leave the value missing.":
        "公式指标：除以零等情况是中止运行（error，默认）还是让该值缺失（missing）。",
    "A treatment: its name, or an object with the name and its parameters.": "异常值处理方法：写方法名，或写含方法名及其参数的对象。",
    "The name of the treatment.": "异常值处理方法的名称。",
    "The name of the treatment (engine plugins lists them).": "异常值处理方法的名称（engine plugins 列出可用方法）。",
    "Parameters of the treatment, in the raw unit of the indicator.": "异常值处理方法的参数，用指标的原始单位。",
    "A normaliser: its name, or an object with the name and its parameters.": "标准化方法：写方法名，或写含方法名及其参数的对象。",
    "The name of the normaliser.": "标准化方法的名称。",
    "The name of the normaliser (engine plugins lists them).": "标准化方法的名称（engine plugins 列出可用方法）。",
    "Parameters of the normaliser, in the raw unit of the indicator.": "标准化方法的参数，用指标的原始单位。",
    "An indicator: where its raw value comes from and how it is scored.": "一个指标：其原始值从哪里来、如何计分。",
    "The indicators, by name; the names are used in formulas and nodes.": "各指标，按名称；名称在公式和节点中使用。",
    "The direction of every indicator that gives none (default higher).": "未写方向的指标的方向（默认 higher，正向）。",
    "The missing-value policy of every indicator that gives none (default error).": "未写缺失值策略的指标的策略（默认 error）。",
    "For every formula indicator that gives none: error (default) or missing.": "未写 on_invalid 的公式指标：error（默认）或 missing。",
    "How the weights are set: fixed (written in params.values) or equal.": "权重如何确定：fixed（写在 params.values 中）或 equal（等权）。",
    "Parameters of the weighting method.": "赋权方法的参数。",
    "Check that the weights of each node's children sum to 1 (default true).": "检查各节点组成部分的权重之和是否为 1（默认 true）。",
    "Divide the weights by their sum before use (default false).": "使用前把权重除以其和（默认 false）。",
    "Where the weights come from (an expert panel, a policy document).": "权重的来源（专家组、政策文件等）。",
    "A short name for the weight set.": "权重集的简短名称。",
    "A named set of weights.": "一个命名的权重集。",
    "Named weight sets that nodes refer to.": "供节点引用的命名权重集。",
    "What the node is called in results and reports.": "节点在结果和报告中的名称。",
    "What the node stands for.": "节点代表什么。",
    "The aggregation method (engine plugins lists them).": "合成方法（engine plugins 列出可用方法）。",
    "The indicators and nodes this node combines.": "该节点合成的指标和节点。",
    "The name of a weight set, or the weights written out here (child name: weight).": "权重集的名称，或在此直接写出的权重（组成部分名称: 权重）。",
    "Parameters of the aggregation method.": "合成方法的参数。",
    "A child missing for a unit: propagate (the node is missing, default) or renormalise (weights of the present children "
    "are scaled up).": "单位缺少某个组成部分时：propagate（该节点缺失，默认）或 renormalise（按比例放大其余组成部分的权重）。",
    "With renormalise: the smallest share of weight that must be present, else the node is missing.":
        "使用 renormalise 时：必须具备的最小权重份额，不足则该节点缺失。",
    "A free formula over indicators (their normalised values) and other nodes.": "以指标（其标准化值）和其他节点书写的自由公式。",
    "A node of the scoring graph: an aggregation of children, or a formula.": "计分图中的一个节点：由组成部分合成，或由公式计算。",
    "The scoring graph: each node aggregates children or computes a formula.": "计分图：每个节点合成其组成部分，或计算一个公式。",
    "The headline node (or indicator): what is ranked and graded.": "总得分节点（或指标）：据此排名和评定等级。",
    "The least share of indicators a unit must have data for (default 0.65).": "单位至少须有数据的指标比例（默认 0.65）。",
    "The least share of units an indicator must have data for (default 0.65).": "指标至少须有数据的单位比例（默认 0.65）。",
    "Drop the units below the unit threshold instead of only warning.": "剔除低于单位阈值的单位，而不只是提示。",
    "Data coverage checked before missing values are filled in.": "在填补缺失值之前检查的数据覆盖率。",
    "The normalisers to choose from, each equally likely.": "可供选择的标准化方法，各方法等概率。",
    "The indicators whose normaliser varies; default: every indicator a node uses.": "标准化方法随之变化的指标；默认为节点使用的所有指标。",
    "Vary the normaliser.": "改变标准化方法。",
    "The imputations to choose from, each equally likely.": "可供选择的填补方法，各方法等概率。",
    "The indicators whose imputation varies; default: every indicator that fills in missing values.":
        "填补方法随之变化的指标；默认为所有填补缺失值的指标。",
    "Vary how missing values are filled in.": "改变缺失值的填补方法。",
    "Each weight varies uniformly within ± this share of its nominal value; the node's weights are then scaled back to "
    "their nominal total.": "每个权重在其名义值的 ± 该比例内均匀变化；之后该节点的权重按比例恢复到名义总和。",
    "Draw the weights from a Dirichlet distribution centred on the nominal weights, with this concentration (larger: "
    "closer to nominal).": "从以名义权重为中心、具有该集中度的狄利克雷分布中抽取权重（越大越接近名义值）。",
    "How the weights of this node vary: noise or dirichlet.": "该节点权重的变化方式：noise 或 dirichlet。",
    "Vary the weights of these nodes around their nominal values.": "让这些节点的权重在其名义值附近变化。",
    "A aggregator: its name, or an object with the name and its parameters.": "合成方法：写方法名，或写含方法名及其参数的对象。",
    "The name of the aggregator.": "合成方法的名称。",
    "The name of the aggregator (engine plugins lists them).": "合成方法的名称（engine plugins 列出可用方法）。",
    "Parameters of the aggregator.": "合成方法的参数。",
    "The aggregators this node chooses from, each equally likely.": "该节点可供选择的合成方法，各方法等概率。",
    "Vary the aggregation method of these nodes.": "改变这些节点的合成方法。",
    "How many configurations to score (engine sensitivity --samples overrides it; default 1000).":
        "要计分的方案数（engine sensitivity --samples 可覆盖；默认 1000）。",
    "The random seed: the same seed gives the same samples (--seed overrides it; default 1).":
        "随机种子：相同的种子得到相同的抽样（--seed 可覆盖；默认 1）。",
    "Alternatives that engine sensitivity samples from (Monte Carlo uncertainty and sensitivity analysis).":
        "engine sensitivity 从中抽样的备选方案（蒙特卡洛不确定性与敏感性分析）。",
    "The node or indicator to round.": "要舍入的节点或指标。",
    "Decimal places.": "小数位数。",
    "half_up (default; 0.5 goes up) or half_even.": "half_up（默认，四舍五入）或 half_even（银行家舍入）。",
    "A rounding step.": "一个舍入步骤。",
    "Rounding steps, as published indices round before ranking and grading.": "舍入步骤：如已发布的指数那样，在排名和定级之前舍入。",
    "pooled: normalise over every period together, so periods stay comparable (default); per_period: normalise each "
    "period on its own (min-max of each year, say).":
        "pooled：所有期别一起标准化，使各期可比（默认）；per_period：每一期单独标准化（例如每年各自做极差标准化）。",
    "How data with several periods (units.period) are treated.": "多期数据（units.period）如何处理。",
    "descending: the highest score ranks 1 (default).": "descending：得分最高者排第 1（默认）。",
    "min: 1,2,2,4 (default); dense: 1,2,2,3; average: 1,2.5,2.5,4; ordinal: 1,2,3,4 in data order.":
        "min：1,2,2,4（默认）；dense：1,2,2,3；average：1,2.5,2.5,4；ordinal：按数据顺序 1,2,3,4。",
    "Rank on the rounded score when the score is rounded (default true).": "得分有舍入时按舍入后的得分排名（默认 true）。",
    "How units are ranked on the score.": "如何按得分给单位排名。",
    "The node graded; default: the score.": "评定等级的节点；默认为总得分。",
    "Grade the rounded value when the node is rounded (default true).": "节点有舍入时按舍入后的值定级（默认 true）。",
    "The grade's name.": "等级的名称。",
    "Higher is better: the lowest value that earns this grade; leave out on the last band to catch everything below.":
        "越高越好：获得该等级的最低值；最后一档可不写，以涵盖其下的所有值。",
    "Lower is better: the highest value that earns this grade (every band then gives max); leave out on the last band "
    "to catch everything above.": "越低越好：获得该等级的最高值（此时每一档都写 max）；最后一档可不写，以涵盖其上的所有值。",
    "One grade band.": "一个等级区间。",
    "The bands from the best down, each with the lowest value it takes (min) or, for a score where lower is better, the "
    "highest (max).": "从最好的一档往下排列，每档写其最低值（min）；得分越低越好时写其最高值（max）。",
    "Grade bands (优秀/良好/合格/不合格).": "等级区间（优秀/良好/合格/不合格）。",
    "The output format (engine plugins lists them).": "输出格式（engine plugins 列出可用格式）。",
    "Where to write, relative to the ruleset's folder; - for standard output.": "写入位置，相对于规则集所在文件夹；- 表示标准输出。",
    "Options of the output format.": "输出格式的选项。",
    "A file to write the results to.": "写入结果的一个文件。",
    "Where engine run writes results when no -o is given.": "未给出 -o 时 engine run 写入结果的位置。",
    # the choices of closed lists
    "More is better (正向).": "越大越好（正向）。",
    "Less is better (逆向).": "越小越好（逆向）。",
    "Best within the optimum (适度).": "在最优区间内最好（适度）。",
    "The run stops and names the units (default).": "中止运行并列出这些单位（默认）。",
    "The unit is not scored; means and ranges are computed without it.": "该单位不参与评价；均值和极差在不含它的情况下计算。",
    "The mean of the other units.": "用其他单位的均值填补。",
    "The median of the other units.": "用其他单位的中位数填补。",
    "The mean of the other units of its group.": "用同组其他单位的均值填补。",
    "The median of the other units of its group.": "用同组其他单位的中位数填补。",
    "The unit's last earlier value.": "用该单位上一期的值填补。",
    "A straight line between the unit's nearest periods with values.": "在该单位有数值的相邻期别之间线性插值。",
    "The value stays missing; the node above decides.": "保留缺失，由上级节点决定。",
    "The run stops and names the units.": "中止运行并列出这些单位。",
    "The value is left missing.": "让该值缺失。",
    "The node is missing when a child is (default).": "有组成部分缺失时该节点缺失（默认）。",
    "The weights of the present children are scaled up.": "按比例放大其余组成部分的权重。",
    "The highest score ranks 1 (default).": "得分最高者排第 1（默认）。",
    "The lowest score ranks 1.": "得分最低者排第 1。",
    "Ties share the best rank: 1, 2, 2, 4 (default).": "并列者取最好的名次：1, 2, 2, 4（默认）。",
    "Ties share the rank, no gaps: 1, 2, 2, 3.": "并列者名次相同且不跳号：1, 2, 2, 3。",
    "Ties share the mean rank: 1, 2.5, 2.5, 4.": "并列者取平均名次：1, 2.5, 2.5, 4。",
    "Ties ranked in data order: 1, 2, 3, 4.": "并列者按数据顺序排名：1, 2, 3, 4。",
    "0.5 goes up, as a spreadsheet's ROUND (default).": "0.5 进位，同表格软件的 ROUND（默认）。",
    "0.5 goes to the even digit.": "0.5 舍入到偶数。",
    "Every period normalised together, so periods stay comparable (default).": "所有期别一起标准化，使各期可比（默认）。",
    "Each period normalised on its own.": "每一期单独标准化。",
}

# a short Chinese name for each property of the format, given as its "title" in the Chinese schema (the
# editor labels its fields with it; a name means the same wherever the property appears)
NAMES: dict[str, str] = {
    "$schema": "模式文件", "aggregation": "合成方法备选", "alternatives": "备选方法", "bands": "等级档次",
    "children": "下级", "clamp": "截断区间", "column": "数据列", "coverage": "数据完整度", "date": "日期",
    "description": "说明", "digits": "小数位数", "direction": "方向", "dirichlet": "狄利克雷集中度",
    "drop_units": "剔除单位", "format": "格式", "formula": "公式", "goalposts": "阈值", "grades": "等级",
    "group": "分组列", "id": "编号", "indicator": "指标", "indicators": "指标", "label": "名称", "language": "语言",
    "long": "长表格式", "lower": "下限", "max": "上限", "method": "方法", "min": "下限", "min_share": "最低权重份额",
    "missing": "缺失值处理", "node": "节点", "nodes": "节点", "noise": "扰动幅度", "normalise": "标准化",
    "on_invalid": "无效值处理", "optimum": "最优区间", "order": "排序方向", "outputs": "输出", "panel": "面板数据",
    "params": "参数", "path": "文件路径", "period": "期别列", "rank": "排名", "renormalise": "按和重新归一",
    "rounding": "舍入", "samples": "抽样次数", "score": "总得分", "seed": "随机种子", "source": "数据源",
    "sources": "数据源", "sum_to_one": "检查权重和为 1", "target": "目标值", "ties": "并列处理", "title": "标题",
    "treat": "异常值处理", "uncertainty": "不确定性分析", "unit": "计量单位", "units": "评价对象",
    "upper": "上限", "use_rounded": "用舍入后的值", "value": "数值列", "version": "版本", "weights": "权重",
}

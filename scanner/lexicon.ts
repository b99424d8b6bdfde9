// Word lists the recognizers use, written for Custos from public knowledge and kept small.
// They are data: a larger list changes recall, not the code.

/** Common single-character surnames (百家姓 and the most frequent modern surnames). */
export const singleSurnames =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝';

/** Compound surnames (复姓). */
export const compoundSurnames = [
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '轩辕',
  '令狐', '钟离', '端木', '独孤', '南宫', '西门', '百里', '呼延', '万俟', '澹台', '公冶', '太史', '申屠', '闻人',
] as const;

/** Provinces, autonomous regions, municipalities and SARs, in the short form addresses use. */
export const provinces = [
  '北京', '天津', '河北', '山西', '内蒙古', '辽宁', '吉林', '黑龙江', '上海', '江苏', '浙江', '安徽', '福建', '江西',
  '山东', '河南', '湖北', '湖南', '广东', '广西', '海南', '重庆', '四川', '贵州', '云南', '西藏', '陕西', '甘肃',
  '青海', '宁夏', '新疆', '台湾', '香港', '澳门',
] as const;

/** Prefecture-level cities often seen in addresses (a subset: capitals and large cities). */
export const cities = [
  '石家庄', '太原', '呼和浩特', '沈阳', '大连', '长春', '哈尔滨', '南京', '苏州', '无锡', '杭州', '宁波', '温州',
  '合肥', '福州', '厦门', '南昌', '济南', '青岛', '郑州', '武汉', '长沙', '广州', '深圳', '珠海', '佛山', '东莞',
  '南宁', '海口', '三亚', '成都', '贵阳', '昆明', '拉萨', '西安', '兰州', '西宁', '银川', '乌鲁木齐', '唐山',
  '保定', '洛阳', '宜昌', '襄阳', '株洲', '桂林', '绵阳', '遵义', '大理', '徐州', '常州', '南通', '扬州', '绍兴',
  '嘉兴', '金华', '台州', '泉州', '烟台', '潍坊', '临沂', '惠州', '中山', '汕头',
] as const;

/** Address components that follow a place name in a street address. */
export const addressMarkers = ['省', '市', '区', '县', '镇', '乡', '街道', '路', '街', '巷', '弄', '号', '村', '栋', '幢', '单元', '室', '小区'] as const;

/** The 56 ethnic groups recognised in China (民族), with the 族 suffix. */
export const ethnicGroups = [
  '汉族', '蒙古族', '回族', '藏族', '维吾尔族', '苗族', '彝族', '壮族', '布依族', '朝鲜族', '满族', '侗族', '瑶族', '白族',
  '土家族', '哈尼族', '哈萨克族', '傣族', '黎族', '傈僳族', '佤族', '畲族', '高山族', '拉祜族', '水族', '东乡族', '纳西族',
  '景颇族', '柯尔克孜族', '土族', '达斡尔族', '仫佬族', '羌族', '布朗族', '撒拉族', '毛南族', '仡佬族', '锡伯族', '阿昌族',
  '普米族', '塔吉克族', '怒族', '乌孜别克族', '俄罗斯族', '鄂温克族', '德昂族', '保安族', '裕固族', '京族', '塔塔尔族',
  '独龙族', '鄂伦春族', '赫哲族', '门巴族', '珞巴族', '基诺族',
] as const;

/**
 * Diagnosis terms. `special` marks conditions GB/T 39725 practice puts at level 5 (HIV/AIDS,
 * sexually transmitted and stigmatising infections, mental illness).
 */
export const diagnosisTerms: readonly { readonly term: string; readonly special?: true }[] = [
  { term: '高血压' }, { term: '糖尿病' }, { term: '冠心病' }, { term: '心肌梗死' }, { term: '心力衰竭' }, { term: '心房颤动' },
  { term: '脑梗死' }, { term: '脑出血' }, { term: '慢性阻塞性肺疾病' }, { term: '哮喘' }, { term: '肺炎' }, { term: '支气管炎' },
  { term: '肺结核', special: true }, { term: '肝硬化' }, { term: '脂肪肝' }, { term: '乙型肝炎', special: true }, { term: '丙型肝炎', special: true },
  { term: '胃溃疡' }, { term: '胃炎' }, { term: '阑尾炎' }, { term: '胆结石' }, { term: '胰腺炎' }, { term: '肾衰竭' },
  { term: '慢性肾病' }, { term: '尿路感染' }, { term: '前列腺增生' }, { term: '甲状腺功能亢进' }, { term: '甲状腺功能减退' },
  { term: '骨质疏松' }, { term: '类风湿关节炎' }, { term: '痛风' }, { term: '腰椎间盘突出' }, { term: '骨折' },
  { term: '贫血' }, { term: '白血病' }, { term: '淋巴瘤' }, { term: '肺癌' }, { term: '胃癌' }, { term: '肝癌' }, { term: '乳腺癌' },
  { term: '结直肠癌' }, { term: '宫颈癌' }, { term: '恶性肿瘤' }, { term: '抑郁症', special: true }, { term: '焦虑症', special: true },
  { term: '精神分裂症', special: true }, { term: '双相情感障碍', special: true }, { term: '阿尔茨海默病' }, { term: '帕金森病' },
  { term: '癫痫' }, { term: '偏头痛' }, { term: '艾滋病', special: true }, { term: 'HIV感染', special: true }, { term: '梅毒', special: true },
  { term: '淋病', special: true }, { term: '尖锐湿疣', special: true }, { term: '生殖器疱疹', special: true }, { term: '不孕症', special: true },
  { term: '妊娠期糖尿病' }, { term: '先兆流产', special: true }, { term: '新型冠状病毒感染' }, { term: '流行性感冒' }, { term: '手足口病' },
  { term: '水痘' }, { term: '过敏性鼻炎' }, { term: '湿疹' }, { term: '银屑病' }, { term: '白内障' }, { term: '青光眼' },
  { term: '中耳炎' }, { term: '扁桃体炎' }, { term: '上呼吸道感染' }, { term: '高脂血症' }, { term: '动脉粥样硬化' },
  { term: '心律失常' }, { term: '药物依赖', special: true }, { term: '酒精依赖', special: true },
];

/** Drug names (generic, Chinese and English). `special` marks drugs that reveal a special disease. */
export const drugTerms: readonly { readonly term: string; readonly special?: true }[] = [
  { term: '阿司匹林' }, { term: '氨氯地平' }, { term: '硝苯地平' }, { term: '缬沙坦' }, { term: '厄贝沙坦' }, { term: '美托洛尔' },
  { term: '二甲双胍' }, { term: '格列美脲' }, { term: '阿卡波糖' }, { term: '胰岛素' }, { term: '阿托伐他汀' }, { term: '瑞舒伐他汀' },
  { term: '氯吡格雷' }, { term: '华法林' }, { term: '利伐沙班' }, { term: '阿莫西林' }, { term: '头孢呋辛' }, { term: '头孢克肟' },
  { term: '左氧氟沙星' }, { term: '阿奇霉素' }, { term: '奥司他韦' }, { term: '布洛芬' }, { term: '对乙酰氨基酚' }, { term: '奥美拉唑' },
  { term: '雷贝拉唑' }, { term: '蒙脱石散' }, { term: '氯雷他定' }, { term: '孟鲁司特' }, { term: '沙丁胺醇' }, { term: '布地奈德' },
  { term: '泼尼松' }, { term: '甲泼尼龙' }, { term: '左甲状腺素' }, { term: '甲巯咪唑' }, { term: '舍曲林', special: true },
  { term: '氟西汀', special: true }, { term: '帕罗西汀', special: true }, { term: '奥氮平', special: true }, { term: '利培酮', special: true },
  { term: '喹硫平', special: true }, { term: '碳酸锂', special: true }, { term: '丙戊酸钠' }, { term: '左乙拉西坦' }, { term: '多奈哌齐' },
  { term: '替诺福韦', special: true }, { term: '恩替卡韦', special: true }, { term: '拉米夫定', special: true }, { term: '依非韦伦', special: true },
  { term: '多替拉韦', special: true }, { term: '齐多夫定', special: true }, { term: '苄星青霉素', special: true }, { term: '美沙酮', special: true },
  { term: '顺铂' }, { term: '紫杉醇' }, { term: '吉非替尼' }, { term: '奥希替尼' }, { term: '曲妥珠单抗' }, { term: '他莫昔芬' },
  { term: 'aspirin' }, { term: 'metformin' }, { term: 'amlodipine' }, { term: 'atorvastatin' }, { term: 'insulin' }, { term: 'amoxicillin' },
  { term: 'ibuprofen' }, { term: 'omeprazole' }, { term: 'tenofovir', special: true }, { term: 'dolutegravir', special: true },
  { term: 'sertraline', special: true }, { term: 'olanzapine', special: true },
];

/** Laboratory tests. `special` marks sensitive tests (HIV, hepatitis, high-risk HPV). */
export const labTerms: readonly { readonly term: string; readonly special?: true }[] = [
  { term: '血红蛋白' }, { term: '白细胞' }, { term: '红细胞' }, { term: '血小板' }, { term: '中性粒细胞' }, { term: '淋巴细胞' },
  { term: '空腹血糖' }, { term: '血糖' }, { term: '糖化血红蛋白' }, { term: '总胆固醇' }, { term: '甘油三酯' }, { term: '低密度脂蛋白' },
  { term: '高密度脂蛋白' }, { term: '谷丙转氨酶' }, { term: '谷草转氨酶' }, { term: '肌酐' }, { term: '尿素氮' }, { term: '尿酸' },
  { term: '血钾' }, { term: '血钠' }, { term: 'C反应蛋白' }, { term: '降钙素原' }, { term: '肌钙蛋白' }, { term: '凝血酶原时间' },
  { term: 'D-二聚体' }, { term: '促甲状腺激素' }, { term: '尿蛋白' }, { term: 'HIV抗体', special: true }, { term: '乙肝表面抗原', special: true },
  { term: 'HBsAg', special: true }, { term: '丙肝抗体', special: true }, { term: 'HPV', special: true }, { term: '梅毒螺旋体抗体', special: true },
  { term: 'ALT' }, { term: 'AST' }, { term: 'HbA1c' }, { term: 'WBC' }, { term: 'HGB' }, { term: 'PLT' }, { term: 'CRP' },
];

/** Units that follow a lab value. */
export const labUnits = ['mmol/L', 'μmol/L', 'umol/L', 'g/L', 'mg/L', 'mg/dL', 'U/L', 'IU/L', '×10^9/L', '×10^12/L', '10^9/L', 'ng/mL', 'pg/mL', 'mIU/L', '%', 's'] as const;

/** Genes often named in clinical genetic test reports. */
export const geneNames = [
  'BRCA1', 'BRCA2', 'EGFR', 'KRAS', 'NRAS', 'BRAF', 'ALK', 'ROS1', 'HER2', 'ERBB2', 'TP53', 'PIK3CA', 'MLH1', 'MSH2',
  'APC', 'CFTR', 'HBB', 'G6PD', 'CYP2C19', 'CYP2D6', 'HLA-B', 'APOE', 'MTHFR', 'FMR1', 'SMN1', 'DMD', 'PTEN', 'RET',
] as const;

/** Words of genetic testing, for context. */
export const geneticContext = ['基因', '突变', '变异', '测序', '位点', '基因型', '杂合', '纯合', 'genotype', 'variant', 'mutation', 'sequencing', 'allele'] as const;

/** Card BIN prefixes: UnionPay (62), major Chinese banks' debit and credit BINs, international schemes. */
export const bankBinPrefixes = [
  '62', '60', '4', '51', '52', '53', '54', '55', '2221', '2720', '35', '37', '34', '36', '30',
  // Issuer BINs seen on Chinese cards (ICBC, ABC, BOC, CCB, BoCom, CMB, PSBC, CITIC, CIB, SPDB, CMBC)
  '622202', '622208', '621226', '622848', '622845', '621661', '621700', '622700', '622262', '622588', '621483',
  '621799', '622150', '622690', '622908', '622521', '622622', '456351', '438088', '427020', '524094', '518710',
] as const;

/** Mobile network prefixes (the first three digits) allocated by MIIT. */
export const mobilePrefixes = new Set([
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '145', '146', '147', '148', '149', '150', '151',
  '152', '153', '155', '156', '157', '158', '159', '162', '165', '166', '167', '170', '171', '172', '173', '175', '176',
  '177', '178', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '190', '191', '192', '193', '195',
  '196', '197', '198', '199',
]);

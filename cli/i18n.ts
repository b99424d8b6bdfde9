/** The CLI speaks Chinese (zh-CN) and English; every user-facing string has both. */
export type Lang = 'zh' | 'en';

export interface Bilingual {
  readonly zh: string;
  readonly en: string;
}

export const pick = (text: Bilingual, lang: Lang): string => text[lang];

/** Reads `--lang` before commander parses, so that help text is already in that language. */
export const detectLang = (argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Lang => {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--lang' ? argv[i + 1] : arg.startsWith('--lang=') ? arg.slice(7) : undefined;
    if (value === 'zh' || value === 'en') return value;
  }
  if (env.CUSTOS_LANG === 'zh' || env.CUSTOS_LANG === 'en') return env.CUSTOS_LANG;
  return 'zh';
};

export const messages = {
  description: {
    zh: 'Custos：互联网医院的安全、隐私与合规控制平面（访问决策、加密、脱敏、审计、个人信息扫描、合规报告）',
    en: 'Custos: security, privacy and compliance control plane for internet hospitals (decisions, encryption, masking, audit, PI scanning, compliance reports)',
  },
  optConfig: { zh: '配置文件路径（默认 ./custos.yaml）', en: 'configuration file (default ./custos.yaml)' },
  optDataDir: { zh: '数据目录（默认 ./custos-data）', en: 'data directory (default ./custos-data)' },
  optJson: { zh: '以 JSON 输出，便于程序处理', en: 'print JSON for machines' },
  optLang: { zh: '界面语言：zh 或 en', en: 'language of messages and reports: zh or en' },
  optQuiet: { zh: '只输出结果与错误', en: 'print only results and errors' },
  optVersion: { zh: '显示版本号', en: 'print the version' },
  optHelp: { zh: '显示帮助', en: 'show help' },
  helpCommand: { zh: '显示某个命令的帮助', en: 'show help for a command' },
  exitCodes: {
    zh: '退出码：0 成功；1 失败；2 用法错误；3 校验未通过',
    en: 'Exit codes: 0 ok; 1 failure; 2 usage error; 3 verification failed',
  },
  error: { zh: '错误', en: 'error' },
  hint: { zh: '提示', en: 'hint' },
  unexpected: {
    zh: '发生未预期的内部错误；请附上错误码报告此问题',
    en: 'an unexpected internal error occurred; please report it with the error code',
  },
  configDescription: { zh: '显示生效的配置及其来源（环境变量名与默认值）', en: 'show the effective configuration, with environment variables and defaults' },
} as const satisfies Record<string, Bilingual>;

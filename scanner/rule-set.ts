// The bundled rule set, validated like a user's replacement.
import { readFileSync } from 'node:fs';
import { ScannerError } from './errors.js';
import { parseRuleSet, validateRuleSetValue, type RuleSet } from './classification.js';
import bundled from './rules/cn-health-2026.1.json' with { type: 'json' };

/**
 * The bundled classification rule set (`scanner/rules/cn-health-2026.1.json`).
 *
 * @example defaultRuleSet().version // 'cn-health-2026.1'
 */
export const defaultRuleSet = (): RuleSet => validateRuleSetValue(bundled, 'scanner/rules/cn-health-2026.1.json');

/**
 * Loads a user's rule set file (`custos scan --rules <file>`).
 *
 * @example loadRuleSet('my-rules.json').version
 */
export const loadRuleSet = (file: string): RuleSet => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScannerError('ERR_SCANNER_INVALID_RULES', {
      message: `cannot read rule set ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      at: { file },
      hint: 'give the path of a JSON rule set (start from scanner/rules/cn-health-2026.1.json)',
      cause: err,
    });
  }
  return parseRuleSet(text, file);
};

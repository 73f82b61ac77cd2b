import { asArgv, compileTemplate, render, RenderError, type RenderScope, type Template } from '../step-template.js';

/**
 * One argv element. It is always exactly one element (there is no shell to split it), and when a value from
 * the alert makes it start with "-" it is refused, so a label like "--force" cannot become an option —
 * unless the author wrote `allow_leading_dash: true` for that argument.
 */
export interface CommandArg {
  template: Template;
  allowLeadingDash: boolean;
}

export function compileArg(source: string, allowLeadingDash = false): CommandArg {
  return { template: compileTemplate(source), allowLeadingDash };
}

export function renderArg(arg: CommandArg, scope: RenderScope): string {
  const value = render(arg.template, scope, asArgv);
  const first = arg.template.parts[0];
  const authorWroteDash = typeof first === 'string' && first.startsWith('-');
  if (value.startsWith('-') && !authorWroteDash && !arg.allowLeadingDash) {
    throw new RenderError(`argument "${arg.template.source}" would start with "-" from an alert value (option injection); refused`);
  }
  return value;
}

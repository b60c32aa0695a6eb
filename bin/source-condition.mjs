// Module resolution hooks for a checkout of the repository: "weir" and "weir/testing" resolve to
// the TypeScript sources (the "weir-source" export condition) instead of the compiled dist/, so
// the examples and tests always run what is in src/ and need no build.
export const SOURCE_CONDITION = "weir-source";

export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes(SOURCE_CONDITION)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, SOURCE_CONDITION] });
}

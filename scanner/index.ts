/**
 * custos/scanner — public entry of the scanner module (see DESIGN.md). Nothing is exported yet:
 * the module's issue adds its API here, and only here.
 */
export {};

/**
 * custos/pdp — public entry of the pdp module (see DESIGN.md). Nothing is exported yet:
 * the module's issue adds its API here, and only here.
 */
export {};

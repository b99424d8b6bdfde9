/**
 * custos/masking — public entry of the masking module (see DESIGN.md). Nothing is exported yet:
 * the module's issue adds its API here, and only here.
 */
export {};

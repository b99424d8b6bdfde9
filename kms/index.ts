/**
 * custos/kms — public entry of the kms module (see DESIGN.md). Nothing is exported yet:
 * the module's issue adds its API here, and only here.
 */
export {};

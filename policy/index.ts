/**
 * custos/policy — public entry of the policy module (see DESIGN.md). Nothing is exported yet:
 * the module's issue adds its API here, and only here.
 */
export {};

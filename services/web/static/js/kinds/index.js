// The page's module for each kind: its form fields and its result view.
import backprop from "./backprop.js";
import check from "./check.js";
import compare from "./compare.js";
import derivative from "./derivative.js";
import extrema from "./extrema.js";
import fit from "./fit.js";
import gradient from "./gradient.js";
import optimize from "./optimize.js";

export const MODULES = Object.fromEntries(
  [derivative, gradient, extrema, optimize, compare, fit, backprop, check].map((m) => [m.name, m]),
);

// The code that keeps frames apart in a reused QuickJS context: it deep-freezes what a loaded script can reach and
// puts the global bindings back after every frame.
//
// Evaluated in a new context before the user's script, so it captures the genuine built-ins even if the script
// replaces them; evaluates to harden(decode, encode), which the host calls after the script has loaded. harden
// returns false when something reachable cannot be frozen (typed arrays with elements), else the frame entry
// points (taking their arguments as one JSON string) and reset(), which answers whether the globals are back.
// Bindings can only be added, or the script's own reassigned, never removed (all are non-configurable), so reset()
// compares the key count and the script's values instead of every descriptor.
export const HARDENING_PRELUDE = String.raw`(function () {
  'use strict';
  var g = globalThis;
  var O = Object, R = Reflect;
  var freeze = O.freeze, isFrozen = O.isFrozen, getProto = O.getPrototypeOf, getDesc = O.getOwnPropertyDescriptor;
  var is = O.is, isExtensible = O.isExtensible;
  var ownKeys = R.ownKeys, apply = R.apply, defineProperty = R.defineProperty, deleteProperty = R.deleteProperty;
  var parse = JSON.parse;
  var SetCtor = Set, setAdd = Set.prototype.add, setHas = Set.prototype.has;
  // Built-ins no global property leads to (generator and async function prototypes, iterator prototypes).
  var hidden = [];
  try {
    hidden = [function* () {}, async function () {}, async function* () {}, [][Symbol.iterator](),
      ''[Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), /x/[Symbol.matchAll]('')];
  } catch (e) {}

  function deepFreeze(roots) {
    var seen = new SetCtor();
    var stack = roots;
    while (stack.length > 0) {
      var o = stack[stack.length - 1];
      stack.length = stack.length - 1;
      if (o === null || (typeof o !== 'object' && typeof o !== 'function')) continue;
      if (apply(setHas, seen, [o])) continue;
      apply(setAdd, seen, [o]);
      if (o !== g) {
        try {
          freeze(o);
        } catch (e) {
          return false;
        }
        if (!isFrozen(o)) return false;
      }
      var proto = getProto(o);
      if (proto !== null) stack[stack.length] = proto;
      var keys = ownKeys(o);
      for (var i = 0; i < keys.length; i++) {
        var d = getDesc(o, keys[i]);
        if (d === undefined) continue;
        if ('value' in d) {
          stack[stack.length] = d.value;
        } else {
          stack[stack.length] = d.get;
          stack[stack.length] = d.set;
        }
      }
    }
    return true;
  }

  // Globals that exist before the script loads: the built-ins.
  var builtinKeys = new SetCtor();
  var initialKeys = ownKeys(g);
  for (var b = 0; b < initialKeys.length; b++) apply(setAdd, builtinKeys, [initialKeys[b]]);

  return function harden(decodeFn, encodeFn) {
    var roots = [g, decodeFn, encodeFn];
    for (var h = 0; h < hidden.length; h++) roots[roots.length] = hidden[h];
    if (!deepFreeze(roots)) return false;
    // Built-in bindings become read-only; the script's own bindings stay writable (sloppy scripts assign their
    // top-level variables) but non-configurable, so reset() only has to put their values back and drop additions.
    var keys = ownKeys(g);
    var scriptKeys = [];
    var scriptValues = [];
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i];
      var d = getDesc(g, k);
      if (!('value' in d)) {
        if (d.configurable && !defineProperty(g, k, { configurable: false })) return false;
        continue;
      }
      if (apply(setHas, builtinKeys, [k])) {
        if (!defineProperty(g, k, { writable: false, configurable: false })) return false;
      } else {
        if (!defineProperty(g, k, { writable: true, configurable: false })) return false;
        scriptKeys[scriptKeys.length] = k;
        scriptValues[scriptValues.length] = d.value;
      }
    }
    var keyCount = keys.length;
    var savedProto = getProto(g);
    var savedKeys = new SetCtor();
    for (var j = 0; j < keys.length; j++) apply(setAdd, savedKeys, [keys[j]]);

    function entry(fn) {
      if (typeof fn !== 'function') return undefined;
      return freeze(function (args) {
        return apply(fn, undefined, parse(args));
      });
    }
    function reset() {
      if (getProto(g) !== savedProto || !isExtensible(g)) return false;
      for (var i = 0; i < scriptKeys.length; i++) {
        if (!is(g[scriptKeys[i]], scriptValues[i])) {
          try {
            g[scriptKeys[i]] = scriptValues[i];
          } catch (e) {
            return false;
          }
        }
      }
      var now = ownKeys(g);
      if (now.length === keyCount) return true;
      for (var k = 0; k < now.length; k++) {
        if (!apply(setHas, savedKeys, [now[k]]) && !deleteProperty(g, now[k])) return false;
      }
      return true;
    }
    return freeze({ decode: entry(decodeFn), encode: entry(encodeFn), reset: freeze(reset) });
  };
})()`;

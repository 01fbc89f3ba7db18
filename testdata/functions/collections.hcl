# collections: chunklist, coalesce, coalescelist, compact, concat, contains, distinct,
# element, flatten, hasindex, index, indexof, keys, length, lookup, merge, range,
# reverselist, slice, values, zipmap (go-cty stdlib/collection.go, sequence.go; buildx)
cases = {
  chunklist_pairs      = [chunklist(["a", "b", "c", "d", "e"], 2), [["a", "b"], ["c", "d"], ["e"]]] # corpus 205
  chunklist_zero       = [chunklist(["a", "b"], 0), [["a", "b"]]]      # size 0: the whole list as one chunk
  chunklist_empty      = [chunklist([], 3), []]
  chunklist_big        = [chunklist(["a"], 5), [["a"]]]
  coalesce_null        = [coalesce(null, "x"), "x"]                     # corpus 207
  coalesce_empty_str   = [coalesce("", "x"), ""]                        # corpus 207: only null is skipped
  coalesce_number      = [coalesce(null, 2, 3), 2]                      # corpus 207
  coalesce_unify       = [coalesce(null, 1, "a"), "1"]                  # unified to string
  coalescelist_first   = [coalescelist([], ["a"], ["b"]), ["a"]]        # corpus 207
  coalescelist_skip    = [coalescelist([], [], [1, 2]), [1, 2]]
  compact_empty_strs   = [compact(["a", "", "b", ""]), ["a", "b"], "list(string)"] # corpus 205
  compact_nulls        = [compact(["a", null, "b"]), ["a", "b"]]        # null and "" are dropped
  compact_all          = [compact(["", ""]), []]
  concat_lists         = [concat(["a"], ["b", "c"], []), ["a", "b", "c"]] # corpus 205
  concat_mixed_tuples  = [concat(["a"], [1, true]), ["a", 1, true]]      # tuples keep element types
  concat_single        = [concat(["x"]), ["x"]]
  contains_yes         = [contains(["x", "y"], "y"), true]               # corpus 205
  contains_no          = [contains(["x", "y"], "z"), false]
  contains_number      = [contains([1, 2, 3], 2), true]
  distinct_order       = [distinct(["b", "a", "b", "c", "a"]), ["b", "a", "c"]] # corpus 205
  distinct_empty       = [distinct([]), []]
  distinct_numbers     = [distinct([1, 2, 1, 3]), [1, 2, 3]]
  element_wraps        = [element(["a", "b", "c"], 4), "b"]              # corpus 205
  element_first        = [element(["a", "b", "c"], 0), "a"]
  element_negative     = [element(["a", "b", "c"], -1), "c"]             # index % len, + len when negative
  flatten_nested       = [flatten([["a", ["b"]], [], ["c"]]), ["a", "b", "c"]] # corpus 205
  flatten_deep         = [flatten([[1, [2, [3]]]]), [1, 2, 3]]
  flatten_empty        = [flatten([]), []]
  flatten_flat         = [flatten(["a", "b"]), ["a", "b"]]
  hasindex_map         = [hasindex(convert({ b = "2", a = "1" }, map(string)), "b"), true] # corpus 206
  hasindex_list_out    = [hasindex(["x"], 1), false]                     # corpus 206
  hasindex_list_in     = [hasindex(["x"], 0), true]
  hasindex_map_miss    = [hasindex(convert({ a = 1 }, map(number)), "z"), false]
  index_list           = [index(["a", "b"], 1), "b"]
  index_map            = [index(convert({ a = "x", b = "y" }, map(string)), "b"), "y"]
  indexof_last         = [indexof(["a", "b", "c"], "c"), 2]              # corpus 205
  indexof_first        = [indexof(["one", 2, 3, "four"], "one"), 0]      # buildx stdlib_test.go
  indexof_mixed        = [indexof(["one", 2, 3, "four"], "four"), 3]     # buildx stdlib_test.go
  keys_sorted          = [keys({ b = "2", a = "1" }), ["a", "b"]]        # corpus 206
  keys_empty           = [keys({}), []]
  values_by_key        = [values({ b = "2", a = "1" }), ["1", "2"]]      # corpus 206
  values_mixed         = [values({ b = 1, a = "x" }), ["x", 1]]
  length_list          = [length(["a", "b"]), 2]                         # corpus 205
  length_map           = [length(convert({ b = "2", a = "1" }, map(string))), 2] # corpus 206
  length_empty_tuple   = [length([]), 0]
  length_empty_map     = [length(convert({}, map(string))), 0]
  lookup_hit           = [lookup({ b = "2", a = "1" }, "a", "dflt"), "1"] # corpus 206
  lookup_miss          = [lookup({ b = "2", a = "1" }, "z", "dflt"), "dflt"] # corpus 206
  merge_override       = [merge({ b = "2", a = "1" }, { c = "3" }, { a = "override" }), { a = "override", b = "2", c = "3" }] # corpus 206
  merge_empty          = [merge(), {}, "object({})"]                    # "empty args is accepted"
  merge_null_skipped   = [merge({ a = 1 }, null), { a = 1 }]
  range_one_arg        = [range(3), [0, 1, 2], "list(number)"]
  range_two_args       = [range(1, 4), [1, 2, 3]]
  range_down           = [range(3, 0), [3, 2, 1]]                         # step -1 when end < start
  range_step           = [range(1, 10, 3), [1, 4, 7]]                     # corpus 205
  range_fraction       = [range(0, 1, 0.25), [0, 0.25, 0.5, 0.75]]
  range_negative_one   = [range(-3), [0, -1, -2]]
  range_empty          = [range(0), []]
  reverselist_three    = [reverselist(["1", "2", "3"]), ["3", "2", "1"]] # corpus 205
  reverselist_empty    = [reverselist([]), []]
  slice_middle         = [slice(["a", "b", "c", "d"], 1, 3), ["b", "c"]] # corpus 205
  slice_empty_range    = [slice(["a"], 1, 1), []]
  slice_whole          = [slice(["a", "b"], 0, 2), ["a", "b"]]
  zipmap_pairs         = [zipmap(["k1", "k2"], ["v1", "v2"]), { k1 = "v1", k2 = "v2" }] # corpus 206
  zipmap_empty         = [zipmap([], []), {}]
  zipmap_dup_key       = [zipmap(["a", "a"], [1, 2]), { a = 2 }]           # later value wins
}
errors = {
  length_of_string     = length("abc")                 # corpus 229
  indexof_missing      = indexof(["a", "b"], "z")      # buildx stdlib_test.go "index -1"
  element_empty        = element([], 0)
  coalesce_all_null    = coalesce(null, null)
  coalescelist_empty   = coalescelist([], [])
  chunklist_negative   = chunklist(["a"], -1)
  lookup_missing_nodef = lookup({ a = "1" }, "z")
  range_step_zero      = range(0, 5, 0)
  range_wrong_dir      = range(5, 1, 1)
  range_too_many       = range(2000)
  slice_start_gt_end   = slice(["a", "b"], 2, 1)
  slice_past_end       = slice(["a", "b"], 0, 3)
  zipmap_len_mismatch  = zipmap(["a"], ["x", "y"])
  index_out_of_range   = index(["a"], 5)              # corpus 230 is index with a value
  keys_of_list         = keys(["a"])
  flatten_string       = flatten("a")
  # go-cty's hasindex/index/length accept only lists, maps, tuples (and sets for length):
  # an object literal fails ("collection must be a list, a map or a tuple").
  length_of_object     = length({ a = 1 })
  hasindex_of_object   = hasindex({ a = 1 }, "a")
  index_of_object      = index({ a = 1 }, "a")
  lookup_two_args      = lookup({ a = "1" }, "a")      # go-cty LookupFunc has 3 fixed params
}

# sets: setunion, setintersection, setsubtract, setsymmetricdifference, sethaselement,
# setproduct (go-cty stdlib/set.go, collection.go SetProductFunc)
cases = {
  union_basic          = [setunion(["a", "b"], ["b", "c"]), ["a", "b", "c"], "set(string)"] # corpus 208
  union_sorted         = [setunion(["b"], ["a"]), ["a", "b"]]
  union_numbers        = [setunion([10, 1], [2]), [1, 2, 10], "set(number)"]   # numbers order numerically
  union_unify          = [setunion(["a"], [1]), ["1", "a"], "set(string)"]      # element types unify to string
  union_dupes          = [setunion(["a", "a"], ["a"]), ["a"]]
  union_single         = [setunion(["z", "y"]), ["y", "z"]]
  union_three          = [setunion(["a"], ["b"], ["c", "a"]), ["a", "b", "c"]]
  intersection_basic   = [setintersection(["a", "b", "c"], ["b", "c", "d"]), ["b", "c"]] # corpus 208
  intersection_none    = [setintersection(["a"], ["b"]), []]
  intersection_three   = [setintersection(["a", "b"], ["b", "c"], ["b"]), ["b"]]
  subtract_basic       = [setsubtract(["a", "b", "c"], ["b"]), ["a", "c"]]      # corpus 208
  subtract_all         = [setsubtract(["a", "b"], ["b", "a"]), []]
  subtract_absent      = [setsubtract(["a"], ["z"]), ["a"]]
  symdiff_basic        = [setsymmetricdifference(["a", "b"], ["b", "c"]), ["a", "c"]] # corpus 208
  symdiff_three        = [setsymmetricdifference(["a", "b"], ["b", "c"], ["c", "d"]), ["a", "d"]] # folded pairwise
  symdiff_same         = [setsymmetricdifference(["a"], ["a"]), []]
  has_yes              = [sethaselement(["a", "b"], "b"), true]                 # corpus 208
  has_no               = [sethaselement(["a", "b"], "z"), false]
  has_number           = [sethaselement([1, 2], 2), true]
  product_pairs        = [setproduct(["x", "y"], ["1", "2"]), [["x", "1"], ["x", "2"], ["y", "1"], ["y", "2"]]] # corpus 208
  product_three        = [setproduct(["x"], ["1"], ["p", "q"]), [["x", "1", "p"], ["x", "1", "q"]]]
  product_empty        = [setproduct(["a"], []), []]
  product_list_order   = [setproduct(["b", "a"], ["1"]), [["b", "1"], ["a", "1"]]]  # lists keep their order
  product_of_sets      = [setproduct(convert(["b", "a"], set(string)), ["1"]), [["a", "1"], ["b", "1"]]]
  convert_to_set       = [convert(["b", "a", "b"], set(any)), ["a", "b"], "set(string)"] # corpus 219
}
errors = {
  union_no_args        = setunion()
  product_one_arg      = setproduct(["a"])                # at least two arguments are required
  product_not_a_list   = setproduct("a", ["b"])
  has_on_string        = sethaselement("a", "a")
  subtract_of_number   = setsubtract(1, ["a"])
}

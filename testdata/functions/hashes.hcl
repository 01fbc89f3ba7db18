# hashes and ids: md5, sha1, sha256, sha512, uuidv5, uuidv4, bcrypt
# (go-cty-funcs crypto/*.go, uuid/*.go; known digests of "", "abc", "hello world")
cases = {
  md5_bake            = [md5("bake"), "a6ecfad3e0f9a51c6335848449a91bed"]                          # corpus 210
  md5_empty           = [md5(""), "d41d8cd98f00b204e9800998ecf8427e"]
  md5_abc             = [md5("abc"), "900150983cd24fb0d6963f7d28e17f72"]
  md5_hello           = [md5("hello world"), "5eb63bbbe01eeed093cb22bb8f5acdc3"]
  sha1_bake           = [sha1("bake"), "74521faff0db9a893a1cd5872e2b81792c8633ed"]                  # corpus 210
  sha1_empty          = [sha1(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709"]
  sha1_abc            = [sha1("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d"]
  sha1_hello          = [sha1("hello world"), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"]
  sha256_bake         = [sha256("bake"), "3c8c082e47323c2858b0898b39c045b39b6f5874133f77d89f9fe9c8034b2e1d"] # corpus 210
  sha256_empty        = [sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]
  sha256_abc          = [sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]
  sha256_hello        = [sha256("hello world"), "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"]
  sha512_bake         = [sha512("bake"), "4747af8cbbf91dfad0d09fdeac8463df729ec8dc0eafc65fd4f21636e218b2c14407cab658219c31ffb7bc678c7150eb538f777a2c1fc29d1abd6305878cecc6"] # corpus 210
  sha512_empty        = [sha512(""), "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"]
  sha512_hello        = [sha512("hello world"), "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"]
  sha256_of_number    = [sha256(1), sha256("1")]                                                    # argument converted to string
  uuidv5_dns          = [uuidv5("dns", "example.com"), "cfbff0d1-9375-5685-968c-48ce8b15ae17"]       # corpus 225
  uuidv5_url          = [uuidv5("url", "https://example.com"), "4fd35a71-71ef-5a55-a9d9-aa75c889a6d0"] # corpus 225
  uuidv5_ns_uuid      = [uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "example.com"), "cfbff0d1-9375-5685-968c-48ce8b15ae17"] # the DNS namespace, spelled out
  uuidv4_shape        = [can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", uuidv4())), true]
  uuidv4_fresh        = [uuidv4() == uuidv4(), false]
  bcrypt_prefix       = [substr(bcrypt("x", 4), 0, 7), "$2a$04$"]
  bcrypt_length       = [length(split("", bcrypt("x", 4))), 60]
}
errors = {
  uuidv5_bad_ns       = uuidv5("bogus", "x")   # not dns/url/oid/x500 nor a UUID
  bcrypt_cost_high    = bcrypt("x", 32)        # bcrypt.MaxCost is 31
  bcrypt_three_args   = bcrypt("x", 4, 5)      # "bcrypt() takes no more than two arguments"
  md5_of_list         = md5(["a"])
}

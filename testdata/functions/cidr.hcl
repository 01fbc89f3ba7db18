# cidr: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets
# (go-cty-funcs cidr/*.go on apparentlymart/go-cidr; Terraform docs examples)
cases = {
  host_corpus          = [cidrhost("10.0.0.0/24", 5), "10.0.0.5"]                      # corpus 222
  host_tf_16           = [cidrhost("10.12.112.0/20", 16), "10.12.112.16"]             # Terraform docs
  host_tf_268          = [cidrhost("10.12.112.0/20", 268), "10.12.113.12"]            # Terraform docs
  host_v6              = [cidrhost("fd00:fd12:3456:7890:00a2::/72", 34), "fd00:fd12:3456:7890::22"] # Terraform docs
  host_zero            = [cidrhost("10.0.0.0/8", 0), "10.0.0.0"]
  host_negative        = [cidrhost("10.0.0.0/24", -1), "10.0.0.255"]                  # negative counts from the end
  host_unmasked_input  = [cidrhost("10.1.2.3/24", 1), "10.1.2.1"]                      # the network, not the address
  host_string_num      = [cidrhost("10.0.0.0/24", "7"), "10.0.0.7"]
  netmask_corpus       = [cidrnetmask("172.16.0.0/12"), "255.240.0.0"]                 # corpus 222, Terraform docs
  netmask_8            = [cidrnetmask("10.0.0.0/8"), "255.0.0.0"]
  netmask_32           = [cidrnetmask("10.0.0.1/32"), "255.255.255.255"]
  netmask_0            = [cidrnetmask("0.0.0.0/0"), "0.0.0.0"]
  subnet_corpus        = [cidrsubnet("10.1.0.0/16", 8, 2), "10.1.2.0/24"]              # corpus 222
  subnet_tf            = [cidrsubnet("172.16.0.0/12", 4, 2), "172.18.0.0/16"]          # Terraform docs
  subnet_tf_28         = [cidrsubnet("10.1.2.0/24", 4, 15), "10.1.2.240/28"]           # Terraform docs
  subnet_v6_tf         = [cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162), "fd00:fd12:3456:7800:a200::/72"] # Terraform docs
  subnet_v6_corpus     = [cidrsubnet("fd00::/48", 16, 255), "fd00:0:0:ff::/64"]        # corpus 222
  subnet_zero_bits     = [cidrsubnet("10.0.0.0/8", 0, 0), "10.0.0.0/8"]
  subnet_host_bits     = [cidrsubnet("10.1.2.3/24", 8, 1), "10.1.2.1/32"]
  subnets_corpus       = [cidrsubnets("10.0.0.0/16", 4, 4, 8), ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/24"], "list(string)"] # corpus 222
  subnets_tf           = [cidrsubnets("10.1.0.0/16", 4, 4, 8, 4), ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]] # Terraform docs
  subnets_v6_tf        = [cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32), ["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72", "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88"]] # Terraform docs
  subnets_none         = [cidrsubnets("10.0.0.0/24"), []]
  subnets_fill         = [cidrsubnets("10.0.0.0/30", 1, 1), ["10.0.0.0/31", "10.0.0.2/31"]]
}
errors = {
  host_out_of_range    = cidrhost("10.0.0.0/24", 256)
  host_not_cidr        = cidrhost("10.0.0.0", 1)
  netmask_garbage      = cidrnetmask("abc")
  subnet_too_many_bits = cidrsubnet("10.0.0.0/8", 33, 0)          # may not extend prefix by more than 32 bits
  subnet_past_v4       = cidrsubnet("10.0.0.0/24", 9, 0)           # /33 is too long for IPv4
  subnet_num_too_big   = cidrsubnet("10.0.0.0/24", 2, 4)           # only 4 subnets
  subnets_no_space     = cidrsubnets("10.0.0.0/30", 1, 1, 1)       # not enough remaining address space
  subnets_zero_bits    = cidrsubnets("10.0.0.0/24", 0)             # must extend prefix by at least one bit
  subnets_too_long     = cidrsubnets("10.0.0.0/24", 9)
}

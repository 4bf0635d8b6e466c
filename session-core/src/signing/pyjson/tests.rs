//! Unit tests of the Python-compatible JSON writer (rule G1: the signed JSON
//! must be byte-identical to Django's). Expected strings were produced by
//! CPython 3.11 `json.dumps`; nothing here runs Python.

use serde_json::{Value, json};

use super::{from_latin1_slice, to_string};

/// `(f64 bits, json.dumps(float))` for edge cases (zero signs, the
/// plain/scientific thresholds at exponents -5/-4 and 15/16, subnormals,
/// extremes) and random bit patterns and short decimals.
const FLOATS: &[(u64, &str)] = &[
    (0x0000000000000000, "0.0"),
    (0x8000000000000000, "-0.0"),
    (0x3ff0000000000000, "1.0"),
    (0xbff0000000000000, "-1.0"),
    (0x3ff8000000000000, "1.5"),
    (0x3fb999999999999a, "0.1"),
    (0x3fc999999999999a, "0.2"),
    (0x3fd3333333333334, "0.30000000000000004"),
    (0x4341c37937e08000, "1e+16"),
    (0x3e7ad7f29abcaf48, "1e-07"),
    (0x3f1a36e2eb1c432d, "0.0001"),
    (0x3ee4f8b588e368f1, "1e-05"),
    (0x42dc12218377de40, "123456789012345.0"),
    (0x43118b54f22aeb00, "1234567890123456.0"),
    (0x4345ee2a2eb5a5c4, "1.2345678901234568e+16"),
    (0x4341c37937e07fff, "9999999999999998.0"),
    (0x430c6bf526340000, "1000000000000000.0"),
    (0x4376345785d8a000, "1e+17"),
    (0x4480f0cf064dd592, "1e+22"),
    (0x44b52d02c7e14af6, "1e+23"),
    (0x3f1a36371ea531a8, "9.999e-05"),
    (0x7fefffffffffffff, "1.7976931348623157e+308"),
    (0x0000000000000001, "5e-324"),
    (0x0010000000000000, "2.2250738585072014e-308"),
    (0x000fffffffffffff, "2.225073858507201e-308"),
    (0x400921fb54442d18, "3.141592653589793"),
    (0x4005bf0a8b145769, "2.718281828459045"),
    (0x4059000000000000, "100.0"),
    (0x54b249ad2594c37d, "1e+100"),
    (0x2b2bff2ee48e0530, "1e-100"),
    (0x405edd2f1a9fbe77, "123.456"),
    (0xc05edd2f1a9fbe77, "-123.456"),
    (0x3fe0000000000000, "0.5"),
    (0x3fd0000000000000, "0.25"),
    (0x3fd5555555555555, "0.3333333333333333"),
    (0x3fe5555555555555, "0.6666666666666666"),
    (0x4011666666666666, "4.35"),
    (0x3fd3333333333333, "0.3"),
    (0x444b1ae4d6e2ef50, "1e+21"),
    (0x3ddb7cdfd9d7bdbb, "1e-10"),
    (0x44dfe185ca57c517, "6.02214076e+23"),
    (0x4340000000000000, "9007199254740992.0"),
    (0x433fffffffffffff, "9007199254740991.0"),
    (0x43e0000000000000, "9.223372036854776e+18"),
    (0x43f0000000000000, "1.8446744073709552e+19"),
    (0xc3e0000000000000, "-9.223372036854776e+18"),
    (0x3f50624dd2f1a9fc, "0.001"),
    (0x3f5437c5692b3cc5, "0.001234"),
    (0x4028000000000000, "12.0"),
    (0x405e000000000000, "120.0"),
    (0x41324f8000000000, "1200000.0"),
    (0x3f201f31f46ed246, "0.000123"),
    (0x3ee9cb8320b15070, "1.23e-05"),
    (0x3c36b082c2148b8e, "1.23e-18"),
    (0x4346345785d8a000, "1.25e+16"),
    (0x4340e0198eaee000, "9500000000000000.0"),
    (0x3ff0000000000001, "1.0000000000000002"),
    (0x3fefffffffffffff, "0.9999999999999999"),
    (0x41b1de784a000000, "299792458.0"),
    (0x7fe1ccf385ebc8a0, "1e+308"),
    (0x000730d67819e8d2, "1e-308"),
    (0x3e45798ee2308c3a, "1e-08"),
    (0xbe501b2b29a4692c, "-1.5000000000000002e-08"),
    (0x3e4a831bb6b93694, "1.2345678e-08"),
    (0xbe8421f5f40d8376, "-1.5e-07"),
    (0x3e8091f15233c21c, "1.2345678e-07"),
    (0x3eb0c6f7a0b5ed8d, "1e-06"),
    (0xbeb92a737110e454, "-1.5e-06"),
    (0x3eb4b66da6c0b2a3, "1.2345677999999999e-06"),
    (0xbeef75104d551d6a, "-1.5000000000000002e-05"),
    (0x3ee9e4091070df4d, "1.2345678000000001e-05"),
    (0xbf23a92a30553262, "-0.00015000000000000001"),
    (0x3f202e85aa468b90, "0.00012345678"),
    (0xbf589374bc6a7efa, "-0.0015"),
    (0x3f543a2714d82e74, "0.0012345678"),
    (0x3f847ae147ae147b, "0.01"),
    (0xbf8eb851eb851eb8, "-0.015"),
    (0x3f8948b0da0e3a11, "0.012345678"),
    (0xbfc3333333333334, "-0.15000000000000002"),
    (0x3fbf9add1091c895, "0.12345678"),
    (0xbff8000000000000, "-1.5"),
    (0x3ff3c0ca2a5b1d5d, "1.2345678"),
    (0x4024000000000000, "10.0"),
    (0xc02e000000000000, "-15.0"),
    (0x4028b0fcb4f1e4b4, "12.345678"),
    (0xc062c00000000000, "-150.0"),
    (0x405edd3be22e5de1, "123.45678"),
    (0x408f400000000000, "1000.0"),
    (0xc097700000000000, "-1500.0"),
    (0x40934a456d5cfaad, "1234.5678"),
    (0x40c3880000000000, "10000.0"),
    (0xc0cd4c0000000000, "-15000.0"),
    (0x40c81cd6c8b43958, "12345.678"),
    (0x40f86a0000000000, "100000.0"),
    (0xc1024f8000000000, "-150000.0"),
    (0x40fe240c7ae147ae, "123456.78"),
    (0x412e848000000000, "1000000.0"),
    (0xc136e36000000000, "-1500000.0"),
    (0x4132d687cccccccd, "1234567.8"),
    (0x416312d000000000, "10000000.0"),
    (0xc16c9c3800000000, "-15000000.0"),
    (0x41678c29c0000000, "12345678.0"),
    (0x4197d78400000000, "100000000.0"),
    (0xc1a1e1a300000000, "-150000000.0"),
    (0x419d6f3430000000, "123456780.0"),
    (0x41cdcd6500000000, "1000000000.0"),
    (0xc1d65a0bc0000000, "-1500000000.0"),
    (0x41d265809e000000, "1234567800.0"),
    (0x4202a05f20000000, "10000000000.0"),
    (0xc20bf08eb0000000, "-15000000000.0"),
    (0x4206fee0c5800000, "12345678000.0"),
    (0x42374876e8000000, "100000000000.0"),
    (0xc24176592e000000, "-150000000000.0"),
    (0x423cbe98f6e00000, "123456780000.0"),
    (0x426d1a94a2000000, "1000000000000.0"),
    (0xc275d3ef79800000, "-1500000000000.0"),
    (0x4271f71f9a4c0000, "1234567800000.0"),
    (0x42a2309ce5400000, "10000000000000.0"),
    (0xc2ab48eb57e00000, "-15000000000000.0"),
    (0x42a674e780df0000, "12345678000000.0"),
    (0x42d6bcc41e900000, "100000000000000.0"),
    (0xc2e10d9316ec0000, "-150000000000000.0"),
    (0x42dc12216116c000, "123456780000000.0"),
    (0xc31550f7dca70000, "-1500000000000000.0"),
    (0x43118b54dcae3800, "1234567800000000.0"),
    (0xc34aa535d3d0c000, "-1.5e+16"),
    (0x4345ee2a13d9c600, "1.2345678e+16"),
    (0xc380a741a4627800, "-1.5e+17"),
    (0x437b69b498d03780, "1.2345678e+17"),
    (0x43abc16d674ec800, "1e+18"),
    (0xc3b4d1120d7b1600, "-1.5e+18"),
    (0x43b12210df8222b0, "1.2345678e+18"),
    (0x43e158e460913d00, "1e+19"),
    (0xc3ea055690d9db80, "-1.5e+19"),
    (0x43e56a951762ab5c, "1.2345678e+19"),
    (0xd1a6e55e9b9b1325, "-2.2239649050108196e+85"),
    (0x566bf9d7c55a45f8, "2.0532095845172635e+108"),
    (0xcf0c26ef4243ed52, "-6.217554322597633e+72"),
    (0x5d96cf7f265beda9, "6.953979603744903e+142"),
    (0xc1d77cffb7decc0c, "-1576271583.481204"),
    (0x5e6a0a2edd70e34d, "6.503171038669016e+146"),
    (0x0463513755ac0ecd, "1.5857673189191353e-287"),
    (0xb37523a53b4a3ee2, "-8.221863336486e-61"),
    (0x4de45321ad915a36, "1.7123553371149197e+67"),
    (0x9823beb1e6ba3ad7, "-2.1638530463091063e-192"),
    (0xdd4eabbd1fcfb980, "-2.9219572677923937e+141"),
    (0x683447c10cc8af11, "9.252761636154696e+193"),
    (0xbfb637dd5bae2d26, "-0.08678992737093391"),
    (0xaed09b824ca87fc2, "-3.419513645011445e-83"),
    (0x158d003d9a0b2361, "7.226450560613817e-205"),
    (0x1ff135342e825ce1, "8.021365036472743e-155"),
    (0x33f5f28807f0cbd4, "2.1852629101185172e-58"),
    (0x00d9f4ad53a2f2b6, "1.4784897218736648e-304"),
    (0x4cc346363c234038, "6.194509959718476e+61"),
    (0xd330a5494d14cf1a, "-5.425245977872505e+92"),
    (0x668dc8f46a423cf9, "1.0124757898277046e+186"),
    (0xd178403035c9a8c4, "-2.944446857366267e+84"),
    (0x765890e0f94855d0, "1.2086749044087354e+262"),
    (0xaf5d8bb09f2e9ea4, "-1.5573811799210805e-80"),
    (0xa9dfdec6baecde5b, "-5.42808465396562e-107"),
    (0x699f071a5fd8e665, "5.937551093150185e+200"),
    (0xf82d5644ef7d9967, "-7.749285522714588e+270"),
    (0xfdfb462fd6fad8db, "-7.134888966143026e+298"),
    (0xdb18bd763f20134c, "-6.859608543352666e+130"),
    (0x0e46c215b5fa5b0c, "6.826063143799301e-240"),
    (0xbf416c30f1f0742a, "-0.0005316962232232482"),
    (0x404df5810624dd30, "59.918000000000006"),
    (0x3e291e1370d857a1, "2.92406e-09"),
    (0x42d3e2086e8f4000, "87446100000000.0"),
    (0x44212d10e84c9451, "1.58421e+20"),
    (0x433470988ac94800, "5753300000000000.0"),
    (0x3b90dec7f681001e, "8.931029999999998e-22"),
    (0x43c7efea7bdc0e71, "3.4497100000000005e+18"),
    (0x4015c2b1704ff435, "5.440130000000001"),
    (0x4023fdf3b645a1cb, "9.996"),
    (0x40c2bce7ae147ae1, "9593.81"),
    (0x3b44fd5b2a2418a9, "3.4724500000000007e-23"),
    (0x42dbc610d6ff0000, "122150000000000.0"),
    (0x3b6c79b9d9b54054, "1.88435e-22"),
    (0x43a736d9fecd0fc0, "8.36382e+17"),
    (0x45042aa1c64ef7b5, "3.04748e+24"),
    (0x44b02155f483357b, "7.61728e+22"),
    (0x3b05239af924d7b6, "2.1857299999999998e-24"),
    (0x41b4e6f3c0000000, "350680000.0"),
    (0x3e8879d786060d64, "1.8236e-07"),
    (0x4055f83c9eecbfb2, "87.87870000000001"),
    (0x44b123a2d6a63770, "8.09376e+22"),
    (0x447d43d87ed82bc4, "8.63751e+21"),
    (0x450fa09e5863ac44, "4.7794e+24"),
    (0x4593c996806807f7, "1.53098e+27"),
    (0x44cc12481fc279bf, "2.65127e+23"),
    (0x3b8f1a03b3cb7afc, "8.232530000000001e-22"),
    (0x40eff78333333333, "65468.1"),
    (0x4323c3cab8476800, "2781650000000000.0"),
    (0x3eedb3b3e5e4e58c, "1.4163e-05"),
    (0x402202a1b5c7cd89, "9.005139999999999"),
    (0x404702d77318fc50, "46.0222"),
    (0x3f74cfeb653e483a, "0.0050811"),
    (0x4215aae753000000, "23265400000.0"),
    (0x44498b714e2352dc, "9.424330000000001e+20"),
    (0x3dfdaab47dd512bf, "4.31709e-10"),
    (0x3bac3adca141dc85, "2.9889600000000003e-21"),
    (0x41fcfb6059ffffff, "7779779999.999999"),
    (0x4553829d4e59a8ff, "9.43456e+25"),
    (0x44a3c7154c8b5ded, "4.6698700000000005e+22"),
    (0x3f161b16d4245165, "8.4327e-05"),
    (0x3bc0ae51a3273809, "7.06465e-21"),
    (0x40e3365999999999, "39346.799999999996"),
    (0x3e7b88f813608d4b, "1.0257599999999999e-07"),
    (0x4462e99cfc14be68, "2.791e+21"),
    (0x3e55bfed483543e2, "2.0256e-08"),
    (0x4114a9a800000000, "338538.0"),
    (0x42d2617ee4038000, "80839800000000.0"),
    (0x408c02b439581062, "896.338"),
    (0x41230e9000000000, "624456.0"),
    (0x3c97f2b1b8e014b0, "8.308639999999999e-17"),
    (0x4158e16f00000000, "6522300.0"),
    (0x42617b82f8e80000, "600693000000.0"),
    (0x3edc156641f40356, "6.695649999999999e-06"),
    (0x3dc139676e466c08, "3.13307e-11"),
    (0x41f036e7d6000000, "4352540000.0"),
    (0x3ba016c30c8f41d1, "1.70348e-21"),
    (0x3f82ed02216d6305, "0.00924112"),
    (0x3e0287d8e9b4ff04, "5.39313e-10"),
    (0x40531460aa64c2f8, "76.3184"),
    (0x3d5b6b38660def81, "3.8964500000000005e-13"),
];

/// G1: every float in the table is written exactly as Python's `repr`.
#[test]
fn floats_match_python_repr_table() {
    for &(bits, expected) in FLOATS {
        let value = f64::from_bits(bits);
        let mut out = String::new();
        super::write_float(&mut out, value);
        assert_eq!(out, expected, "bits {bits:#018x}");
    }
}

/// G1: floats inside a `Value` go through the same writer, and the output
/// parses back to the same number.
#[test]
fn float_values_round_trip_through_serde_json() {
    for &(bits, expected) in FLOATS {
        let value = f64::from_bits(bits);
        let Some(number) = serde_json::Number::from_f64(value) else {
            continue;
        };
        let text = to_string(&Value::Number(number));
        assert_eq!(text, expected);
        let back: f64 = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(back.to_bits(), value.to_bits(), "{text}");
    }
}

/// G1: non-finite floats use Python's `allow_nan` spellings.
#[test]
fn non_finite_floats_use_python_spellings() {
    for (value, expected) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "Infinity"),
        (f64::NEG_INFINITY, "-Infinity"),
    ] {
        let mut out = String::new();
        super::write_float(&mut out, value);
        assert_eq!(out, expected);
    }
}

/// G1: string escaping matches `json.dumps` with `ensure_ascii=True`.
#[test]
fn strings_are_escaped_like_python() {
    let cases = [
        ("hello", r#""hello""#),
        ("a string \u{2019}", r#""a string \u2019""#),
        ("emoji \u{1f600}", r#""emoji \ud83d\ude00""#),
        (
            "\u{7f}\u{0}\u{1f}\u{e9}/\"\\",
            r#""\u007f\u0000\u001f\u00e9/\"\\""#,
        ),
        ("\n\r\t\u{8}\u{c}\u{b}", r#""\n\r\t\b\f\u000b""#),
        (
            "\u{ffff}\u{10ffff}\u{abcd}",
            r#""\uffff\udbff\udfff\uabcd""#,
        ),
        (" ~", r#"" ~""#),
        ("", r#""""#),
    ];
    for (input, expected) in cases {
        assert_eq!(to_string(&json!(input)), expected);
    }
}

/// G1: compact separators, insertion order and full integer range.
#[test]
fn containers_are_compact_and_ordered() {
    let value = json!({
        "zeta": 1, "alpha": [true, false, null, [], {}], "mid": {"b": -7, "a": "x"},
        "max": u64::MAX, "min": i64::MIN, "f": 1.0
    });
    assert_eq!(
        to_string(&value),
        r#"{"zeta":1,"alpha":[true,false,null,[],{}],"mid":{"b":-7,"a":"x"},"max":18446744073709551615,"min":-9223372036854775808,"f":1.0}"#
    );
    assert_eq!(to_string(&json!([])), "[]");
    assert_eq!(to_string(&json!({})), "{}");
    assert_eq!(to_string(&json!([[1], [2, [3]]])), "[[1],[2,[3]]]");
}

/// G2: very deep values are written without recursion (no stack overflow).
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 100_000;
    let mut value = json!(0);
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    let text = to_string(&value);
    assert_eq!(text.len(), 2 * depth + 1);
    // Dismantle iteratively: serde_json's recursive drop would overflow.
    let mut current = value;
    while let Value::Array(mut items) = current {
        current = items.pop().unwrap_or(Value::Null);
    }
}

/// G1: payload bytes are read as latin-1, as Django's `bytes.decode("latin-1")`.
#[test]
fn payload_bytes_are_read_as_latin1() {
    assert_eq!(
        from_latin1_slice(br#"{"a":"\u00e9"}"#).ok(),
        Some(json!({"a": "\u{e9}"}))
    );
    // Raw UTF-8 for "é" (c3 a9) becomes the two latin-1 characters Django sees.
    assert_eq!(
        from_latin1_slice(b"\"\xc3\xa9\"").ok(),
        Some(json!("\u{c3}\u{a9}"))
    );
    assert!(from_latin1_slice(b"not json").is_err());
    assert!(from_latin1_slice(b"\xff").is_err());
}

/// G1: reading builds the values serde_json's own `Value` builds, members
/// in the same order; a repeated key keeps its first place and its last
/// value, as Python's `json.loads` does (`{"a": 3, "b": 2}` below).
#[test]
fn reading_matches_serde_json_and_python_order() {
    let texts = [
        r#"{"zeta":1,"alpha":[true,false,null,[],{}],"mid":{"b":-7,"a":"x"}}"#,
        r#"{"max":18446744073709551615,"min":-9223372036854775808,"f":1.5e-7,"g":-0.0}"#,
        r#"{"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \n","e":{},"l":[[1],[2,[3]]]}"#,
        r#"[1,{"k":[{"x":{"y":{"z":[]}}}]},"two",3.25]"#,
        r#""just a string""#,
    ];
    for text in texts {
        let ours = super::from_str(text).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs, "{text}");
        assert_eq!(to_string(&ours), to_string(&theirs), "{text}");
    }
    let repeated = super::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
    assert_eq!(to_string(&repeated), r#"{"a":3,"b":2}"#);
}

//! DICOM files, HL7 v2 batches and FHIR resources written by hand (PS3.5's element encoding,
//! HL7's ER7, FHIR JSON), for the medical readers' tests.

use serde_json::{json, Value};

pub const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";
pub const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
pub const EXPLICIT_BE: &str = "1.2.840.10008.1.2.2";

/// VRs with a reserved field and a 4-byte length in explicit VR.
const LONG: &[&str] = &["OB", "OW", "SQ", "UN", "UT", "UC", "UR"];

/// One element: `(group, element)`, VR, value bytes (padded to even length here).
pub fn element(tag: (u16, u16), vr: &str, value: &[u8], explicit: bool, big: bool) -> Vec<u8> {
    let mut v = value.to_vec();
    if v.len() % 2 == 1 {
        v.push(if vr == "UI" { 0 } else { b' ' });
    }
    header(tag, vr, v.len() as u32, explicit, big)
        .into_iter()
        .chain(v)
        .collect()
}

/// An element's header declaring `len` bytes (`u32::MAX`: undefined).
pub fn header(tag: (u16, u16), vr: &str, len: u32, explicit: bool, big: bool) -> Vec<u8> {
    let u16b = |x: u16| {
        if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let u32b = |x: u32| {
        if big {
            x.to_be_bytes()
        } else {
            x.to_le_bytes()
        }
    };
    let mut b = Vec::new();
    b.extend_from_slice(&u16b(tag.0));
    b.extend_from_slice(&u16b(tag.1));
    if !explicit || tag.0 == 0xFFFE {
        b.extend_from_slice(&u32b(len));
    } else if LONG.contains(&vr) {
        b.extend_from_slice(vr.as_bytes());
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(&u32b(len));
    } else {
        b.extend_from_slice(vr.as_bytes());
        b.extend_from_slice(&u16b(len as u16));
    }
    b
}

/// A DICOM file: optional preamble and `DICM`, the file meta group (explicit VR little
/// endian) naming `syntax`, then `data` (already encoded in that syntax).
pub fn dicom(preamble: bool, syntax: &str, data: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    if preamble {
        b.extend_from_slice(&[0u8; 128]);
        b.extend_from_slice(b"DICM");
    }
    let meta = [
        element((2, 1), "OB", &[0, 1], true, false),
        element((2, 2), "UI", b"1.2.840.10008.5.1.4.1.1.7", true, false),
        element((2, 0x10), "UI", syntax.as_bytes(), true, false),
    ]
    .concat();
    b.extend(element(
        (2, 0),
        "UL",
        &(meta.len() as u32).to_le_bytes(),
        true,
        false,
    ));
    b.extend(meta);
    b.extend_from_slice(data);
    b
}

/// The tags a person's fields go into, with their VRs and the names the reader gives them.
pub const PERSON_TAGS: [((u16, u16), &str, &str); 5] = [
    ((0x0010, 0x0020), "LO", "PatientID"),
    ((0x0010, 0x0030), "DA", "PatientBirthDate"),
    ((0x0010, 0x0040), "CS", "PatientSex"),
    ((0x0010, 0x1050), "LO", "InsurancePlanIdentification"),
    ((0x0010, 0x2154), "SH", "PatientTelephoneNumbers"),
];

/// A person's data set: `values` in [`PERSON_TAGS`] order (empty ones left out).
pub fn person(values: &[&str], explicit: bool) -> Vec<u8> {
    let mut b = Vec::new();
    for (((tag, vr, _), v), _) in PERSON_TAGS.iter().zip(values).zip(0..) {
        if !v.is_empty() {
            b.extend(element(*tag, vr, v.as_bytes(), explicit, false));
        }
    }
    b
}

/// HL7's escapes for the separators in a value.
fn hl7_escape(v: &str) -> String {
    let mut s = String::new();
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\E\\"),
            '|' => s.push_str("\\F\\"),
            '^' => s.push_str("\\S\\"),
            '~' => s.push_str("\\R\\"),
            '&' => s.push_str("\\T\\"),
            c => s.push(c),
        }
    }
    s
}

/// One ADT message per person `(nik, birth date, sex, phone, card)`: the NIK and the card as
/// PID-3 repetitions typed `NNIDN` and `BPJS`, the rest in PID-7, PID-8 and PID-13;
/// segments end in CR, messages MLLP-framed when `mllp`.
pub fn hl7_batch(people: &[[&str; 5]], mllp: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, [nik, dob, sex, phone, card]) in people.iter().enumerate() {
        let mut ids = Vec::new();
        if !nik.is_empty() {
            ids.push(format!("{}^^^DUKCAPIL^NNIDN", hl7_escape(nik)));
        }
        if !card.is_empty() {
            ids.push(format!("{}^^^BPJS^BPJS", hl7_escape(card)));
        }
        let msg = format!(
            "MSH|^~\\&|SIMRS|RS|SATUSEHAT|KEMKES|||ADT^A04|MSG{i}|P|2.5\r\
             PID|1||{}||PASIEN^UJI||{}|{}|||||{}\r",
            ids.join("~"),
            hl7_escape(dob),
            hl7_escape(sex),
            hl7_escape(phone)
        );
        if mllp {
            out.push(0x0b);
        }
        out.extend_from_slice(msg.as_bytes());
        if mllp {
            out.extend_from_slice(b"\x1c\r");
        }
    }
    out
}

/// A FHIR Patient resource for `(nik, birth date, sex, phone, card)`, identifiers named by
/// SATUSEHAT's systems.
pub fn patient([nik, dob, sex, phone, card]: &[&str; 5]) -> Value {
    json!({
        "resourceType": "Patient",
        "identifier": [
            {"use": "official", "system": "https://fhir.kemkes.go.id/id/nik", "value": nik},
            {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "BPJS"}]}, "value": card}
        ],
        "birthDate": dob,
        "gender": sex,
        "telecom": [{"value": phone, "system": "phone", "use": "mobile"}]
    })
}

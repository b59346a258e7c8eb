import { applyCaseChange, decideCaseTransition, openKeyOf, validateReason, type CaseState } from "../src/cases.ts";

const open: CaseState = { status: "OPEN", assigneeId: null };
const assigned: CaseState = { status: "ASSIGNED", assigneeId: "staff-a" };
const resolved: CaseState = { status: "RESOLVED", assigneeId: "staff-a" };
const code = (code: string) => expect.objectContaining({ extensions: expect.objectContaining({ code }) });

describe("assigning a case", () => {
  it("given an open case, when assigned, then it is ASSIGNED to that staff member", () => {
    const change = decideCaseTransition(open, { type: "ASSIGN", assigneeId: " staff-a " });
    expect(change).toEqual({ type: "ASSIGNED", assigneeId: "staff-a", previousAssigneeId: null });
    expect(applyCaseChange(open, change)).toEqual({ status: "ASSIGNED", assigneeId: "staff-a" });
  });

  it("given an assigned case, when reassigned to someone else, then the previous assignee is kept in the change", () => {
    expect(decideCaseTransition(assigned, { type: "ASSIGN", assigneeId: "staff-b" })).toEqual({ type: "ASSIGNED", assigneeId: "staff-b", previousAssigneeId: "staff-a" });
  });

  it("given an assigned case, when assigned to the same staff member again, then CONFLICT", () => {
    expect(() => decideCaseTransition(assigned, { type: "ASSIGN", assigneeId: "staff-a" })).toThrow(code("CONFLICT"));
  });

  it("given a resolved case, when assigned, then CONFLICT", () => {
    expect(() => decideCaseTransition(resolved, { type: "ASSIGN", assigneeId: "staff-b" })).toThrow(code("CONFLICT"));
  });

  it("given any case, when the assignee is not a staff id, then BAD_USER_INPUT", () => {
    expect(() => decideCaseTransition(open, { type: "ASSIGN", assigneeId: "  " })).toThrow(code("BAD_USER_INPUT"));
    expect(() => decideCaseTransition(open, { type: "ASSIGN", assigneeId: "a b" })).toThrow(code("BAD_USER_INPUT"));
  });
});

describe("notes and evidence", () => {
  it("given an open case, when a note is added, then the status does not change", () => {
    const change = decideCaseTransition(open, { type: "ADD_NOTE", kind: "NOTE", body: " called the player ", reference: null });
    expect(change).toEqual({ type: "NOTE_ADDED", kind: "NOTE", body: "called the player", reference: null });
    expect(applyCaseChange(open, change)).toEqual(open);
  });

  it("given an assigned case, when evidence with a reference is added, then it is accepted", () => {
    expect(decideCaseTransition(assigned, { type: "ADD_NOTE", kind: "EVIDENCE", body: "payslip", reference: "doc-123" })).toMatchObject({ kind: "EVIDENCE", reference: "doc-123" });
  });

  it("given any case, when evidence has no reference or the body is blank, then BAD_USER_INPUT", () => {
    expect(() => decideCaseTransition(open, { type: "ADD_NOTE", kind: "EVIDENCE", body: "payslip", reference: " " })).toThrow(code("BAD_USER_INPUT"));
    expect(() => decideCaseTransition(open, { type: "ADD_NOTE", kind: "NOTE", body: "   ", reference: null })).toThrow(code("BAD_USER_INPUT"));
  });

  it("given a resolved case, when a note is added, then CONFLICT: a resolved case is final", () => {
    expect(() => decideCaseTransition(resolved, { type: "ADD_NOTE", kind: "NOTE", body: "late", reference: null })).toThrow(code("CONFLICT"));
  });
});

describe("resolving a case", () => {
  it("given an assigned case, when resolved with an outcome and a summary, then it is RESOLVED", () => {
    const change = decideCaseTransition(assigned, { type: "RESOLVE", outcome: "REPORTED", summary: " SAR filed " });
    expect(change).toEqual({ type: "RESOLVED", outcome: "REPORTED", summary: "SAR filed" });
    expect(applyCaseChange(assigned, change)).toEqual({ status: "RESOLVED", assigneeId: "staff-a" });
  });

  it("given an open case, when resolved, then CONFLICT: someone must be assigned first", () => {
    expect(() => decideCaseTransition(open, { type: "RESOLVE", outcome: "NO_ACTION", summary: "nothing found" })).toThrow(code("CONFLICT"));
  });

  it("given a resolved case, when resolved again, then CONFLICT", () => {
    expect(() => decideCaseTransition(resolved, { type: "RESOLVE", outcome: "NO_ACTION", summary: "again" })).toThrow(code("CONFLICT"));
  });

  it("given an assigned case, when resolved without an outcome or without a summary, then BAD_USER_INPUT", () => {
    expect(() => decideCaseTransition(assigned, { type: "RESOLVE", outcome: null, summary: "nothing found" })).toThrow(code("BAD_USER_INPUT"));
    expect(() => decideCaseTransition(assigned, { type: "RESOLVE", outcome: "NO_ACTION", summary: null })).toThrow(code("BAD_USER_INPUT"));
    expect(() => decideCaseTransition(assigned, { type: "RESOLVE", outcome: "NO_ACTION", summary: " ok " })).toThrow(code("BAD_USER_INPUT"));
  });
});

describe("case helpers", () => {
  it("keys an open case by player and kind", () => {
    expect(openKeyOf("p1", "AML_STRUCTURING")).toBe("p1:AML_STRUCTURING");
  });

  it("requires a reason of at least 3 characters for a case opened by hand", () => {
    expect(validateReason("  tip-off from payments ")).toBe("tip-off from payments");
    expect(() => validateReason("no")).toThrow(code("BAD_USER_INPUT"));
  });
});

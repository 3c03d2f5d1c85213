/**
 * The deterministic data set the emulator serves: legal entities, business
 * establishments, departments, about a hundred employees, leave requests and leaves.
 *
 * The organisation and the employees depend only on the seed and the account name.
 * Leaves and leave requests are laid out around a reference month (by default the month
 * of the `Clock` when the emulator is built), so that "who is absent this month" always
 * has answers; they depend on the seed, the account and that month.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as internal from "./internal/data.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface LegalEntity {
  readonly id: string
  readonly name: string
  readonly countryCode: string
  readonly registrationNumber: string
  readonly createdAt: string
  readonly lastUpdatedAt: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BusinessEstablishment {
  readonly id: string
  readonly name: string
  readonly legalEntityId: string
  readonly city: string
  readonly countryCode: string
  readonly timeZoneId: string
  readonly createdAt: string
  readonly lastUpdatedAt: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Department {
  readonly id: string
  readonly name: string
  readonly code: string
  readonly parentId: string | null
  readonly managerId: string | null
  readonly createdAt: string
  readonly lastUpdatedAt: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Employee {
  readonly id: string
  readonly firstName: string
  readonly lastName: string
  readonly email: string
  readonly employeeNumber: string
  readonly jobTitle: string
  readonly businessEstablishmentId: string
  readonly departmentId: string
  readonly managerId: string | null
  /** `YYYY-MM-DD` */
  readonly hiredOn: string
  readonly createdAt: string
  readonly lastUpdatedAt: string
}

/**
 * @since 0.1.0
 * @category models
 */
export type LeaveType = "paid-leave" | "rtt" | "sick-leave" | "unpaid-leave" | "parental-leave"

/**
 * @since 0.1.0
 * @category models
 */
export const leaveTypes: ReadonlyArray<LeaveType> = internal.leaveTypes

/**
 * @since 0.1.0
 * @category models
 */
export interface LeaveRequest {
  readonly id: string
  readonly employeeId: string
  readonly leaveType: LeaveType
  /** `YYYY-MM-DD`, inclusive */
  readonly startsOn: string
  /** `YYYY-MM-DD`, inclusive */
  readonly endsOn: string
  /** Working days (Monday to Friday) between `startsOn` and `endsOn`. */
  readonly durationInDays: number
  readonly status: "pending" | "approved" | "denied" | "cancelled"
  readonly comment: string | null
  readonly leaveIds: ReadonlyArray<string>
  readonly createdAt: string
  readonly lastUpdatedAt: string
}

/**
 * An absence: pending and approved leave requests produce one leave each; a leave
 * created through `POST /lucca-api/leaves` has no leave request.
 *
 * @since 0.1.0
 * @category models
 */
export interface Leave {
  readonly id: string
  readonly employeeId: string
  readonly leaveRequestId: string | null
  readonly leaveType: LeaveType
  /** `YYYY-MM-DD`, inclusive */
  readonly startsOn: string
  /** `YYYY-MM-DD`, inclusive */
  readonly endsOn: string
  readonly durationInDays: number
  readonly status: "pending" | "approved"
  readonly comment: string | null
  readonly createdAt: string
  readonly lastUpdatedAt: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DataSet {
  readonly seed: string
  readonly account: string
  /** `YYYY-MM-DD`: the first day of the reference month the leaves are laid out around. */
  readonly referenceMonth: string
  readonly legalEntities: ReadonlyArray<LegalEntity>
  readonly businessEstablishments: ReadonlyArray<BusinessEstablishment>
  readonly departments: ReadonlyArray<Department>
  readonly employees: ReadonlyArray<Employee>
  readonly leaveRequests: ReadonlyArray<LeaveRequest>
  readonly leaves: ReadonlyArray<Leave>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `42`. */
  readonly seed?: number | string | undefined
  /** Default `"example"`. Names the organisation and the e-mail domain. */
  readonly account?: string | undefined
  /** Any instant of the reference month; default: now, read from `Clock`. */
  readonly referenceDate?: Date | undefined
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaultSeed: number = internal.defaultSeed

/**
 * Builds the data set. Same seed, account and reference month: same data, to the byte.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<DataSet> = internal.make

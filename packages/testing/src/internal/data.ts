import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import * as Dates from "./dates.js"

/** @internal */
export const leaveTypes: ReadonlyArray<FakeLuccaData.LeaveType> = [
  "paid-leave",
  "rtt",
  "sick-leave",
  "unpaid-leave",
  "parental-leave"
]

const firstNames = [
  "Camille",
  "Léa",
  "Manon",
  "Chloé",
  "Emma",
  "Inès",
  "Jade",
  "Louise",
  "Alice",
  "Zoé",
  "Sarah",
  "Juliette",
  "Lucie",
  "Clara",
  "Anaïs",
  "Mathilde",
  "Sofia",
  "Lucía",
  "Elena",
  "Lina",
  "Hugo",
  "Lucas",
  "Louis",
  "Gabriel",
  "Arthur",
  "Jules",
  "Nathan",
  "Raphaël",
  "Tom",
  "Théo",
  "Paul",
  "Maxime",
  "Antoine",
  "Thomas",
  "Nicolas",
  "Julien",
  "Mehdi",
  "Karim",
  "Mateo",
  "Noah"
]

const lastNames = [
  "Martin",
  "Bernard",
  "Dubois",
  "Thomas",
  "Robert",
  "Richard",
  "Petit",
  "Durand",
  "Leroy",
  "Moreau",
  "Simon",
  "Laurent",
  "Lefebvre",
  "Michel",
  "Garcia",
  "David",
  "Bertrand",
  "Roux",
  "Vincent",
  "Fournier",
  "Morel",
  "Girard",
  "André",
  "Mercier",
  "Dupont",
  "Lambert",
  "Bonnet",
  "François",
  "Martinez",
  "Müller",
  "Favre",
  "Rossi",
  "Fernández",
  "López",
  "Sánchez",
  "Nguyen",
  "Benali",
  "Haddad",
  "Perrin",
  "Chevalier"
]

interface DepartmentSeed {
  readonly code: string
  readonly name: string
  readonly parent: string | null
  readonly weight: number
  readonly titles: ReadonlyArray<string>
}

const departmentSeeds: ReadonlyArray<DepartmentSeed> = [
  {
    code: "DIR",
    name: "Executive Office",
    parent: null,
    weight: 3,
    titles: ["Chief Executive Officer", "Chief of Staff"]
  },
  { code: "ENG", name: "Engineering", parent: "DIR", weight: 6, titles: ["Engineering Manager", "Software Engineer"] },
  {
    code: "PLT",
    name: "Platform",
    parent: "ENG",
    weight: 14,
    titles: ["Site Reliability Engineer", "Software Engineer"]
  },
  { code: "PRD", name: "Product", parent: "ENG", weight: 14, titles: ["Product Manager", "Product Designer"] },
  { code: "SAL", name: "Sales", parent: "DIR", weight: 18, titles: ["Account Executive", "Sales Development Rep"] },
  { code: "MKT", name: "Marketing", parent: "DIR", weight: 9, titles: ["Marketing Manager", "Content Writer"] },
  { code: "FIN", name: "Finance", parent: "DIR", weight: 8, titles: ["Accountant", "Financial Controller"] },
  { code: "PPL", name: "People", parent: "DIR", weight: 7, titles: ["HR Business Partner", "Payroll Officer"] },
  { code: "SUP", name: "Customer Support", parent: "DIR", weight: 21, titles: ["Support Specialist", "Support Lead"] }
]

interface EstablishmentSeed {
  readonly city: string
  readonly countryCode: string
  readonly legalEntity: number
  readonly timeZoneId: string
  readonly weight: number
}

const establishmentSeeds: ReadonlyArray<EstablishmentSeed> = [
  { city: "Paris", countryCode: "FR", legalEntity: 0, timeZoneId: "Europe/Paris", weight: 40 },
  { city: "Lyon", countryCode: "FR", legalEntity: 0, timeZoneId: "Europe/Paris", weight: 20 },
  { city: "Nantes", countryCode: "FR", legalEntity: 0, timeZoneId: "Europe/Paris", weight: 15 },
  { city: "Genève", countryCode: "CH", legalEntity: 1, timeZoneId: "Europe/Zurich", weight: 15 },
  { city: "Madrid", countryCode: "ES", legalEntity: 2, timeZoneId: "Europe/Madrid", weight: 10 }
]

const legalEntitySeeds = [
  { suffix: "France SAS", countryCode: "FR", registration: (n: number) => `FR${String(n).padStart(9, "0")}` },
  { suffix: "Suisse SA", countryCode: "CH", registration: (n: number) => `CHE-${String(n).padStart(9, "0")}` },
  { suffix: "España SL", countryCode: "ES", registration: (n: number) => `B${String(n).padStart(8, "0")}` }
]

/** @internal */
export const defaultSeed = 42

/** How many employees the data set holds. @internal */
export const employeeCount = 100

const comments = [null, null, null, "Family holiday", "Long weekend", "Moving house", "Wedding", "Medical appointment"]

const intBetween = (min: number, max: number) => Random.nextIntBetween(min, max + 1)

const pick = <A>(items: ReadonlyArray<A>): Effect.Effect<A> =>
  Effect.map(Random.nextIntBetween(0, items.length), (i) => items[i])

const pickWeighted = <A extends { readonly weight: number }>(items: ReadonlyArray<A>): Effect.Effect<number> =>
  Effect.map(Random.nextIntBetween(0, items.reduce((sum, item) => sum + item.weight, 0)), (n) => {
    for (let i = 0; i < items.length; i++) {
      if (n < items[i].weight) return i
      n -= items[i].weight
    }
    return items.length - 1
  })

const capitalize = (s: string) => s.length === 0 ? s : s[0].toUpperCase() + s.slice(1)

const emailPart = (s: string) =>
  s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")

const nextBusinessDay = (day: number) => {
  while (!Dates.isBusinessDay(day)) day++
  return day
}

/** Adds `count` working days after `start` (a working day itself), returning the last one. */
const addBusinessDays = (start: number, count: number) => {
  let day = start
  let remaining = count - 1
  while (remaining > 0) {
    day++
    if (Dates.isBusinessDay(day)) remaining--
  }
  return day
}

const organisation = (account: string, today: number) =>
  Effect.gen(function*() {
    const company = capitalize(account.replace(/[^A-Za-z0-9]+/g, " ").trim() || "Example")
    const timestamp = (daysAgo: number) =>
      Effect.map(intBetween(8 * 60, 18 * 60), (minute) => Dates.dayToIsoDateTime(today - daysAgo, minute))

    const legalEntities: Array<FakeLuccaData.LegalEntity> = []
    for (let i = 0; i < legalEntitySeeds.length; i++) {
      const seed = legalEntitySeeds[i]
      const createdDaysAgo = yield* intBetween(2000, 3000)
      legalEntities.push({
        id: String(101 + i),
        name: `${company} ${seed.suffix}`,
        countryCode: seed.countryCode,
        registrationNumber: seed.registration(yield* intBetween(100_000_000, 999_999_999)),
        createdAt: yield* timestamp(createdDaysAgo),
        lastUpdatedAt: yield* timestamp(yield* intBetween(30, createdDaysAgo - 1))
      })
    }

    const businessEstablishments: Array<FakeLuccaData.BusinessEstablishment> = []
    for (let i = 0; i < establishmentSeeds.length; i++) {
      const seed = establishmentSeeds[i]
      const createdDaysAgo = yield* intBetween(1500, 2000)
      businessEstablishments.push({
        id: String(201 + i),
        name: `${company} ${seed.city}`,
        legalEntityId: legalEntities[seed.legalEntity].id,
        city: seed.city,
        countryCode: seed.countryCode,
        timeZoneId: seed.timeZoneId,
        createdAt: yield* timestamp(createdDaysAgo),
        lastUpdatedAt: yield* timestamp(yield* intBetween(30, createdDaysAgo - 1))
      })
    }

    const usedEmails = new Set<string>()
    const employees: Array<FakeLuccaData.Employee> = []
    const departmentOf: Array<number> = []
    for (let i = 0; i < employeeCount; i++) {
      const firstName = yield* pick(firstNames)
      const lastName = yield* pick(lastNames)
      let email = `${emailPart(firstName)}.${emailPart(lastName)}@${emailPart(account)}.test`
      for (let n = 2; usedEmails.has(email); n++) {
        email = `${emailPart(firstName)}.${emailPart(lastName)}${n}@${emailPart(account)}.test`
      }
      usedEmails.add(email)
      // every department gets at least one employee (its manager), the rest by weight
      const department = i < departmentSeeds.length ? i : yield* pickWeighted(departmentSeeds)
      const establishment = i === 0 ? 0 : yield* pickWeighted(establishmentSeeds)
      const hiredDaysAgo = yield* intBetween(20, 3650)
      const createdDaysAgo = hiredDaysAgo + (yield* intBetween(5, 40))
      departmentOf.push(department)
      employees.push({
        id: String(1001 + i),
        firstName,
        lastName,
        email,
        employeeNumber: `E${String(i + 1).padStart(4, "0")}`,
        jobTitle: i < departmentSeeds.length ?
          departmentSeeds[department].titles[0] :
          yield* pick(departmentSeeds[department].titles),
        businessEstablishmentId: businessEstablishments[establishment].id,
        departmentId: String(301 + department),
        managerId: null,
        hiredOn: Dates.dayToIsoDate(today - hiredDaysAgo),
        createdAt: yield* timestamp(createdDaysAgo),
        lastUpdatedAt: yield* timestamp(yield* intBetween(1, hiredDaysAgo))
      })
    }

    const departments: Array<FakeLuccaData.Department> = []
    for (let i = 0; i < departmentSeeds.length; i++) {
      const seed = departmentSeeds[i]
      const createdDaysAgo = yield* intBetween(1500, 2500)
      departments.push({
        id: String(301 + i),
        name: seed.name,
        code: seed.code,
        parentId: seed.parent === null ? null : String(301 + departmentSeeds.findIndex((d) => d.code === seed.parent)),
        // the i-th employee was placed in the i-th department to manage it
        managerId: employees[i].id,
        createdAt: yield* timestamp(createdDaysAgo),
        lastUpdatedAt: yield* timestamp(yield* intBetween(30, createdDaysAgo - 1))
      })
    }

    const withManagers = employees.map((employee, i) => {
      let department: FakeLuccaData.Department | undefined = departments[departmentOf[i]]
      while (department !== undefined && department.managerId === employee.id) {
        const parentId: string | null = department.parentId
        department = parentId === null ? undefined : departments.find((d) => d.id === parentId)
      }
      return { ...employee, managerId: department?.managerId ?? null }
    })

    return { legalEntities, businessEstablishments, departments, employees: withManagers }
  })

const absences = (employees: ReadonlyArray<FakeLuccaData.Employee>, firstOfMonth: number) =>
  Effect.gen(function*() {
    const windowStart = Dates.addMonths(firstOfMonth, -2)
    const windowEnd = Dates.addMonths(firstOfMonth, 3) - 1
    const monthEnd = Dates.monthEnd(firstOfMonth)
    const leaveRequests: Array<FakeLuccaData.LeaveRequest> = []
    const leaves: Array<FakeLuccaData.Leave> = []
    let nextRequestId = 20001
    let nextLeaveId = 30001

    for (let i = 0; i < employees.length; i++) {
      const employee = employees[i]
      const taken: Array<readonly [number, number]> = []
      const overlaps = (start: number, end: number) => taken.some(([s, e]) => start <= e && s <= end)
      // one employee in five is away during the reference month, whatever else happens
      const count = yield* intBetween(0, 3)
      const plans: Array<"reference-month" | "anywhere"> = i % 5 === 0 ? ["reference-month"] : []
      for (let n = 0; n < count; n++) plans.push("anywhere")

      for (const plan of plans) {
        let start = 0
        let end = 0
        let found = false
        for (let attempt = 0; attempt < 5 && !found; attempt++) {
          start = plan === "reference-month" ?
            nextBusinessDay(yield* intBetween(firstOfMonth, monthEnd - 4)) :
            nextBusinessDay(yield* intBetween(windowStart, windowEnd - 14))
          end = addBusinessDays(start, yield* intBetween(1, 8))
          found = !overlaps(start, end)
        }
        if (!found) continue
        taken.push([start, end])

        const past = end < firstOfMonth
        const roll = yield* intBetween(0, 99)
        const status: FakeLuccaData.LeaveRequest["status"] = plan === "reference-month" ?
          "approved" :
          past ?
          roll < 80 ? "approved" : roll < 90 ? "denied" : "cancelled" :
          roll < 55
          ? "approved"
          : roll < 85
          ? "pending"
          : roll < 95
          ? "denied"
          : "cancelled"
        const leaveType = yield* pick(leaveTypes)
        const comment = yield* pick(comments)
        // nothing was created or decided after the reference month began
        const createdDay = Math.min(start - (yield* intBetween(3, 45)), firstOfMonth - 1)
        const createdMinute = yield* intBetween(8 * 60, 17 * 60)
        const createdAt = Dates.dayToIsoDateTime(createdDay, createdMinute)
        const decidedDay = Math.min(createdDay + (yield* intBetween(0, 2)), firstOfMonth - 1)
        const decidedMinute = decidedDay === createdDay ?
          createdMinute + (yield* intBetween(5, 120)) :
          yield* intBetween(8 * 60, 19 * 60)
        const decidedAt = status === "pending" ? createdAt : Dates.dayToIsoDateTime(decidedDay, decidedMinute)
        const requestId = String(nextRequestId++)
        const durationInDays = Dates.businessDaysBetween(start, end)
        const leaveIds: Array<string> = []
        if (status === "approved" || status === "pending") {
          const leaveId = String(nextLeaveId++)
          leaveIds.push(leaveId)
          leaves.push({
            id: leaveId,
            employeeId: employee.id,
            leaveRequestId: requestId,
            leaveType,
            startsOn: Dates.dayToIsoDate(start),
            endsOn: Dates.dayToIsoDate(end),
            durationInDays,
            status,
            comment,
            createdAt,
            lastUpdatedAt: decidedAt
          })
        }
        leaveRequests.push({
          id: requestId,
          employeeId: employee.id,
          leaveType,
          startsOn: Dates.dayToIsoDate(start),
          endsOn: Dates.dayToIsoDate(end),
          durationInDays,
          status,
          comment,
          leaveIds,
          createdAt,
          lastUpdatedAt: decidedAt
        })
      }
    }
    const byId = (a: { readonly id: string }, b: { readonly id: string }) => Number(a.id) - Number(b.id)
    return { leaveRequests: leaveRequests.sort(byId), leaves: leaves.sort(byId) }
  })

/** @internal */
export const make = (options?: FakeLuccaData.Options): Effect.Effect<FakeLuccaData.DataSet> =>
  Effect.gen(function*() {
    const seed = String(options?.seed ?? defaultSeed)
    const account = options?.account ?? "example"
    const reference = options?.referenceDate?.getTime() ?? (yield* Clock.currentTimeMillis)
    const firstOfMonth = Dates.monthStart(Dates.toDay(reference))
    const referenceMonth = Dates.dayToIsoDate(firstOfMonth)
    // Two independent streams: the organisation stays the same from one month to the
    // next, only the absences move with the reference month.
    const org = yield* organisation(account, firstOfMonth).pipe(
      Effect.withRandom(Random.make(`fake-lucca/organisation/${seed}/${account}`))
    )
    const absent = yield* absences(org.employees, firstOfMonth).pipe(
      Effect.withRandom(Random.make(`fake-lucca/absences/${seed}/${account}/${referenceMonth}`))
    )
    return {
      seed,
      account,
      referenceMonth,
      legalEntities: org.legalEntities,
      businessEstablishments: org.businessEstablishments,
      departments: org.departments,
      employees: org.employees,
      leaveRequests: absent.leaveRequests,
      leaves: absent.leaves
    }
  })

import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type * as FakeLuccaData from "../FakeLuccaData.js"
import * as Dates from "./dates.js"

const givenNames = [
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

const familyNames = [
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
  readonly profession: string
  readonly titles: ReadonlyArray<string>
}

const departmentSeeds: ReadonlyArray<DepartmentSeed> = [
  {
    code: "DIR",
    name: "Executive Office",
    parent: null,
    weight: 3,
    profession: "Management",
    titles: ["Chief Executive Officer", "Chief of Staff"]
  },
  {
    code: "ENG",
    name: "Engineering",
    parent: "DIR",
    weight: 6,
    profession: "Software Engineering",
    titles: ["Engineering Manager", "Software Engineer"]
  },
  {
    code: "PLT",
    name: "Platform",
    parent: "ENG",
    weight: 14,
    profession: "Software Engineering",
    titles: ["Site Reliability Engineer", "Software Engineer"]
  },
  {
    code: "PRD",
    name: "Product",
    parent: "ENG",
    weight: 14,
    profession: "Product",
    titles: ["Product Manager", "Product Designer"]
  },
  {
    code: "SAL",
    name: "Sales",
    parent: "DIR",
    weight: 18,
    profession: "Sales",
    titles: ["Account Executive", "Sales Development Rep"]
  },
  {
    code: "MKT",
    name: "Marketing",
    parent: "DIR",
    weight: 9,
    profession: "Marketing",
    titles: ["Marketing Manager", "Content Writer"]
  },
  {
    code: "FIN",
    name: "Finance",
    parent: "DIR",
    weight: 8,
    profession: "Finance",
    titles: ["Accountant", "Financial Controller"]
  },
  {
    code: "PPL",
    name: "People",
    parent: "DIR",
    weight: 7,
    profession: "Human Resources",
    titles: ["HR Business Partner", "Payroll Officer"]
  },
  {
    code: "SUP",
    name: "Customer Support",
    parent: "DIR",
    weight: 21,
    profession: "Customer Support",
    titles: ["Support Specialist", "Support Lead"]
  }
]

interface EstablishmentSeed {
  readonly city: string
  readonly street: string
  readonly postalCode: string
  readonly countryCode: string
  readonly legalEntity: number
  readonly timezoneId: string
  readonly weight: number
}

const establishmentSeeds: ReadonlyArray<EstablishmentSeed> = [
  {
    city: "Paris",
    street: "10 rue de la Paix",
    postalCode: "75002",
    countryCode: "FRA",
    legalEntity: 0,
    timezoneId: "Europe/Paris",
    weight: 40
  },
  {
    city: "Lyon",
    street: "5 place Bellecour",
    postalCode: "69002",
    countryCode: "FRA",
    legalEntity: 0,
    timezoneId: "Europe/Paris",
    weight: 20
  },
  {
    city: "Nantes",
    street: "2 quai de la Fosse",
    postalCode: "44000",
    countryCode: "FRA",
    legalEntity: 0,
    timezoneId: "Europe/Paris",
    weight: 15
  },
  {
    city: "Genève",
    street: "12 rue du Rhône",
    postalCode: "1204",
    countryCode: "CHE",
    legalEntity: 1,
    timezoneId: "Europe/Zurich",
    weight: 15
  },
  {
    city: "Madrid",
    street: "Calle de Alcalá 20",
    postalCode: "28014",
    countryCode: "ESP",
    legalEntity: 2,
    timezoneId: "Europe/Madrid",
    weight: 10
  }
]

const legalEntitySeeds = [
  { suffix: "France SAS", countryCode: "FRA", currencyCode: "EUR" },
  { suffix: "Suisse SA", countryCode: "CHE", currencyCode: "CHF" },
  { suffix: "España SL", countryCode: "ESP", currencyCode: "EUR" }
]

const occupationCategorySeeds = [
  { title: "Executive", fr: "Cadre" },
  { title: "Employee", fr: "Employé" },
  { title: "Intern", fr: "Stagiaire" }
]

const templateSeeds = [
  { title: "Permanent contract", fr: "CDI", term: "permanent", audience: "employee" },
  { title: "Fixed-term contract", fr: "CDD", term: "fixed", audience: "employee" },
  { title: "Internship", fr: "Convention de stage", term: "fixed", audience: "student" }
]

/** The topics of the seeded events; each names the resource it carries. */
const eventTopics = ["employee.created", "employee.updated", "employment.created", "job-position.created"] as const

/** @internal */
export const defaultSeed = 42

/** How many employees the data set holds. @internal */
export const employeeCount = 100

// Effect 4 draws from a closed range unless asked for a half-open one
const intBetween = (min: number, max: number) => Random.nextIntBetween(min, max)

const pick = <A>(items: ReadonlyArray<A>): Effect.Effect<A> =>
  Effect.map(Random.nextIntBetween(0, items.length, { halfOpen: true }), (i) => items[i])

const pickWeighted = <A extends { readonly weight: number }>(items: ReadonlyArray<A>): Effect.Effect<number> =>
  Effect.map(Random.nextIntBetween(0, items.reduce((sum, item) => sum + item.weight, 0), { halfOpen: true }), (n) => {
    for (let i = 0; i < items.length; i++) {
      if (n < items[i].weight) return i
      n -= items[i].weight
    }
    return items.length - 1
  })

const capitalize = (s: string) => s.length === 0 ? s : s[0].toUpperCase() + s.slice(1)

const emailPart = (s: string) =>
  s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-")

/**
 * A reference as Lucca writes it: `{id, type, url}`. URLs are kept relative to the
 * account host in the data set; the emulator prefixes the host it is reached at.
 *
 * @internal
 */
export const ref = (collection: string, type: string, id: string) => ({
  id,
  type,
  url: `/lucca-api/${collection}/${id}`
})

const link = (href: string) => ({ href })

type Resource = FakeLuccaData.Resource

const byId = (a: Resource, b: Resource) => Number(a.id) - Number(b.id)

const generate = (account: string, today: number) =>
  Effect.gen(function*() {
    const company = capitalize(account.replace(/[^A-Za-z0-9]+/g, " ").trim() || "Example")
    const timestamp = (day: number) =>
      Effect.map(intBetween(8 * 60, 18 * 60), (minute) => Dates.dayToIsoDateTime(day, minute))
    const stamps = (createdDay: number) =>
      Effect.gen(function*() {
        const createdAt = yield* timestamp(createdDay)
        const updatedDay = Math.min(today, createdDay + (yield* intBetween(0, Math.max(0, today - createdDay))))
        const lastUpdatedAt = yield* timestamp(updatedDay)
        return { createdAt, lastUpdatedAt: lastUpdatedAt < createdAt ? createdAt : lastUpdatedAt }
      })

    const legalEntities: Array<Resource> = []
    for (let i = 0; i < legalEntitySeeds.length; i++) {
      const seed = legalEntitySeeds[i]
      const id = String(101 + i)
      legalEntities.push({
        id,
        type: "legal-entity",
        url: `/lucca-api/legal-entities/${id}`,
        legalName: `${company} ${seed.suffix}`,
        remoteId: `LE-${i + 1}`,
        isArchived: false,
        countryCode: seed.countryCode,
        currencyCode: seed.currencyCode,
        ...(yield* stamps(today - (yield* intBetween(2000, 3000)))),
        lastArchivedAt: null,
        links: { businessEstablishments: link(`/lucca-api/business-establishments?legalEntity.id=${id}`) }
      })
    }

    const businessEstablishments: Array<Resource> = []
    for (let i = 0; i < establishmentSeeds.length; i++) {
      const seed = establishmentSeeds[i]
      const id = String(201 + i)
      businessEstablishments.push({
        id,
        type: "business-establishment",
        url: `/lucca-api/business-establishments/${id}`,
        name: `${company} ${seed.city}`,
        remoteId: `BE-${i + 1}`,
        legalEntity: ref("legal-entities", "legal-entity", legalEntities[seed.legalEntity].id),
        address: {
          addressLines: [`${company}`, seed.street],
          postalCode: seed.postalCode,
          locality: seed.city,
          countryCode: seed.countryCode
        },
        timezoneId: seed.timezoneId,
        isArchived: false,
        lastArchivedAt: null,
        ...(yield* stamps(today - (yield* intBetween(1500, 2000)))),
        links: {}
      })
    }

    const professionNames = [...new Set(departmentSeeds.map((d) => d.profession))]
    const professions: Array<Resource> = professionNames.map((title, i) => ({
      id: String(401 + i),
      type: "profession",
      url: `/lucca-api/professions/${401 + i}`,
      title,
      isArchived: false,
      links: {}
    }))

    // one job qualification per title, ranked within its profession
    const jobQualifications: Array<Resource> = []
    const qualificationOfTitle = new Map<string, string>()
    for (const seed of departmentSeeds) {
      for (const title of seed.titles) {
        if (qualificationOfTitle.has(title)) continue
        const id = String(501 + jobQualifications.length)
        const profession = professions[professionNames.indexOf(seed.profession)]
        qualificationOfTitle.set(title, id)
        jobQualifications.push({
          id,
          type: "job-qualification",
          url: `/lucca-api/job-qualifications/${id}`,
          title,
          profession: ref("professions", "profession", profession.id),
          rank: jobQualifications.filter((q) => (q.profession as { id: string }).id === profession.id).length + 1,
          ...(yield* stamps(today - (yield* intBetween(1000, 1500)))),
          links: {}
        })
      }
    }

    const occupationCategories: Array<Resource> = occupationCategorySeeds.map((seed, i) => ({
      id: String(601 + i),
      type: "occupation-category",
      url: `/lucca-api/occupation-categories/${601 + i}`,
      title: seed.title,
      businessEstablishments: businessEstablishments.map((e) => ref("business-establishments", e.type, e.id)),
      t9n: { title: { "fr-FR": seed.fr } },
      links: {}
    }))

    const employmentTemplates: Array<Resource> = []
    for (let i = 0; i < templateSeeds.length; i++) {
      const seed = templateSeeds[i]
      employmentTemplates.push({
        id: String(701 + i),
        type: "employment-template",
        url: `/lucca-api/employment-templates/${701 + i}`,
        title: seed.title,
        legalEntities: legalEntities.map((e) => ref("legal-entities", e.type, e.id)),
        term: seed.term,
        audience: seed.audience,
        t9n: { title: { "fr-FR": seed.fr } },
        ...(yield* stamps(today - (yield* intBetween(1000, 1500)))),
        links: {}
      })
    }

    const employees: Array<Resource> = []
    const employments: Array<Resource> = []
    const jobPositions: Array<Resource> = []
    const probationaryPeriods: Array<Resource> = []
    const personalRecords: Array<Resource> = []
    const portraits: Array<Resource> = []
    const usedEmails = new Set<string>()
    const departmentOf: Array<number> = []
    const managerOfDepartment: Array<string> = []
    const pendingPositions: Array<{ index: number; department: number }> = []

    for (let i = 0; i < employeeCount; i++) {
      const id = String(1001 + i)
      const givenName = yield* pick(givenNames)
      const familyName = yield* pick(familyNames)
      let email = `${emailPart(givenName)}.${emailPart(familyName)}@${emailPart(account)}.test`
      for (let n = 2; usedEmails.has(email); n++) {
        email = `${emailPart(givenName)}.${emailPart(familyName)}${n}@${emailPart(account)}.test`
      }
      usedEmails.add(email)
      // every department gets at least one employee (its manager), the rest by weight
      const department = i < departmentSeeds.length ? i : yield* pickWeighted(departmentSeeds)
      if (i < departmentSeeds.length) managerOfDepartment.push(id)
      departmentOf.push(department)
      const establishment = businessEstablishments[i === 0 ? 0 : yield* pickWeighted(establishmentSeeds)]
      const legalEntityId = (establishment.legalEntity as { id: string }).id
      // most are active; a few left (deactivated) and a few are about to join (upcoming)
      const roll = yield* intBetween(0, 99)
      const status = i < departmentSeeds.length || roll < 90 ? "active" : roll < 96 ? "deactivated" : "upcoming"
      const startDay = status === "upcoming"
        ? today + (yield* intBetween(10, 60))
        : today - (yield* intBetween(20, 3650))
      const endDay = status === "deactivated" ? Math.min(today - 1, startDay + (yield* intBetween(90, 900))) : null
      const template = employmentTemplates[status === "active" && roll < 80 ? 0 : roll % 3]
      const createdDay = Math.min(startDay, today) - (yield* intBetween(5, 40))

      const employmentId = String(3001 + i)
      employments.push({
        id: employmentId,
        type: "employment",
        url: `/lucca-api/employments/${employmentId}`,
        remoteId: `EMP-${id}`,
        employee: ref("employees", "employee", id),
        legalEntity: ref("legal-entities", "legal-entity", legalEntityId),
        status,
        start: { date: Dates.dayToIsoDate(startDay) },
        end: endDay === null ? null : { date: Dates.dayToIsoDate(endDay) },
        document: null,
        template: ref("employment-templates", "employment-template", template.id),
        ...(yield* stamps(createdDay)),
        links: {
          jobPositions: link(`/lucca-api/job-positions?employment.id=${employmentId}`),
          probationaryPeriods: link(`/lucca-api/probationary-periods?employment.id=${employmentId}`)
        }
      })
      if (today - startDay < 365) {
        const initialEnd = startDay + 90
        const extended = (yield* intBetween(0, 3)) === 0 ? startDay + 180 : null
        probationaryPeriods.push({
          id: String(8001 + probationaryPeriods.length),
          type: "probationary-period",
          url: `/lucca-api/probationary-periods/${8001 + probationaryPeriods.length}`,
          employment: ref("employments", "employment", employmentId),
          startsOn: Dates.dayToIsoDate(startDay),
          endsOn: Dates.dayToIsoDate(extended ?? initialEnd),
          initialEndsOn: Dates.dayToIsoDate(initialEnd),
          extendedEndsOn: extended === null ? null : Dates.dayToIsoDate(extended),
          ...(yield* stamps(Math.min(today, startDay))),
          links: {}
        })
      }

      const jobTitle = i < departmentSeeds.length ?
        departmentSeeds[department].titles[0] :
        yield* pick(departmentSeeds[department].titles)
      const positionId = String(4001 + i)
      jobPositions.push({
        id: positionId,
        type: "job-position",
        url: `/lucca-api/job-positions/${positionId}`,
        remoteId: null,
        employment: ref("employments", "employment", employmentId),
        employee: ref("employees", "employee", id),
        status,
        startsOn: Dates.dayToIsoDate(startDay),
        endsOn: endDay === null ? null : Dates.dayToIsoDate(endDay),
        businessEstablishment: ref("business-establishments", "business-establishment", establishment.id),
        jobTitle,
        jobQualification: ref("job-qualifications", "job-qualification", qualificationOfTitle.get(jobTitle)!),
        manager: null,
        occupationCategory: ref(
          "occupation-categories",
          "occupation-category",
          occupationCategories[i < departmentSeeds.length ? 0 : template.id === "703" ? 2 : 1].id
        ),
        department: ref("departments", "department", String(301 + department)),
        document: null,
        notes: null,
        updatedAttributes: [],
        ...(yield* stamps(createdDay)),
        links: {}
      })
      pendingPositions.push({ index: jobPositions.length - 1, department })

      const hasPortrait = (yield* intBetween(0, 9)) < 7
      const portraitId = String(9001 + i)
      if (hasPortrait) {
        portraits.push({
          id: portraitId,
          type: "portrait",
          url: `/lucca-api/portraits/${portraitId}`,
          employee: ref("employees", "employee", id),
          fileName: `${emailPart(givenName)}-${emailPart(familyName)}.png`,
          contentType: "image/png",
          links: {}
        })
      }
      const birthDay = (yield* intBetween(0, 18000)) + Dates.toDay(Date.UTC(1960, 0, 1))
      const legalGender = yield* pick(["male", "female", "unknown"] as const)
      personalRecords.push({
        id: String(5001 + i),
        type: "employee-personal-record",
        url: `/lucca-api/employee-personal-records/${5001 + i}`,
        employee: ref("employees", "employee", id),
        title: legalGender === "male" ? "mister" : legalGender === "female" ? "miss" : "unknown",
        legalGender,
        birthDate: Dates.dayToIsoDate(birthDay),
        insuranceNumber: null,
        nationalitiesCountryCodes: [establishmentSeeds[businessEstablishments.indexOf(establishment)].countryCode],
        bankAccount: null,
        phoneNumber: null,
        email: null,
        links: {}
      })
      const birth = new Date(birthDay * Dates.msPerDay)
      employees.push({
        id,
        type: "employee",
        url: `/lucca-api/employees/${id}`,
        remoteId: `E${String(i + 1).padStart(5, "0")}`,
        portrait: hasPortrait ? ref("portraits", "portrait", portraitId) : null,
        givenName,
        familyName,
        employeeNumber: `E${String(i + 1).padStart(4, "0")}`,
        status,
        email,
        birthDay: { day: birth.getUTCDate(), month: birth.getUTCMonth() + 1 },
        phoneNumber: null,
        applicableEmployment: ref("employments", "employment", employmentId),
        applicableJobPosition: ref("job-positions", "job-position", positionId),
        ...(yield* stamps(createdDay)),
        links: {
          employments: link(`/lucca-api/employments?employee.id=${id}`),
          jobPositions: link(`/lucca-api/job-positions?employment.employee.id=${id}`),
          personalRecord: link(`/lucca-api/employee-personal-records?employee.id=${id}`)
        }
      })
    }

    const departments: Array<Resource> = []
    for (let i = 0; i < departmentSeeds.length; i++) {
      const seed = departmentSeeds[i]
      const id = String(301 + i)
      const parentIndex = departmentSeeds.findIndex((d) => d.code === seed.parent)
      const siblings = departmentSeeds.filter((d) => d.parent === seed.parent)
      let level = 1
      for (let p = seed.parent; p !== null; p = departmentSeeds.find((d) => d.code === p)!.parent) level++
      departments.push({
        id,
        type: "department",
        url: `/lucca-api/departments/${id}`,
        name: seed.name,
        description: null,
        remoteId: seed.code,
        isArchived: false,
        parent: parentIndex < 0 ? null : ref("departments", "department", String(301 + parentIndex)),
        level,
        manager: ref("employees", "employee", managerOfDepartment[i]),
        sortOrder: siblings.indexOf(seed),
        links: {
          activeEmployees: link(`/lucca-api/employees?applicableJobPosition.department.id=${id}`)
        }
      })
    }

    // a position's manager: the head of its department, or of the nearest parent department
    for (const { department, index } of pendingPositions) {
      const position = jobPositions[index]
      const employeeId = (position.employee as { id: string }).id
      let d: number = department
      while (d >= 0 && managerOfDepartment[d] === employeeId) {
        const parent = departmentSeeds[d].parent
        d = parent === null ? -1 : departmentSeeds.findIndex((s) => s.code === parent)
      }
      jobPositions[index] = {
        ...position,
        manager: d < 0 ? null : ref("employees", "employee", managerOfDepartment[d])
      }
    }

    // the most recent changes, as the events feed and a webhook endpoint saw them
    const webhookEndpoints: Array<Resource> = [{
      id: "10001",
      type: "webhook-endpoint",
      url: "/lucca-api/webhook-endpoints/10001",
      name: `${company} HR sync`,
      apiVersion: "2024-11-01",
      webhookUrl: `https://hooks.${emailPart(account)}.test/lucca`,
      topics: [...eventTopics],
      businessEstablishments: null,
      status: "active",
      ...(yield* stamps(today - 400)),
      links: {}
    }]
    const recent = [...employees].sort((a, b) => (b.createdAt as string).localeCompare(a.createdAt as string))
      .slice(0, 10)
    const events: Array<Resource> = []
    const webhookDeliveries: Array<Resource> = []
    const webhookDeliveryAttempts: Array<Resource> = []
    for (const employee of recent) {
      const index = employees.indexOf(employee)
      const position = jobPositions[index]
      const carried = {
        "employee.created": employee,
        "employee.updated": employee,
        "employment.created": employments[index],
        "job-position.created": position
      } as const
      for (const topic of eventTopics) {
        const id = String(20001 + events.length)
        const data = carried[topic]
        const { links: _links, ...representation } = data
        events.push({
          id,
          type: "event",
          url: `/lucca-api/events/${id}`,
          apiVersion: "2024-11-01",
          topic,
          occurredAt: topic === "employee.updated" ? data.lastUpdatedAt : data.createdAt,
          source: "",
          businessEstablishment: position.businessEstablishment,
          data: representation,
          ...(topic === "employee.updated" ? { previousAttributes: { phoneNumber: null } } : {}),
          links: {}
        })
        const deliveryId = String(30001 + webhookDeliveries.length)
        const attempts = (yield* intBetween(0, 9)) === 0 ? 3 : 1
        const delivered = attempts === 1
        webhookDeliveries.push({
          id: deliveryId,
          type: "webhook-delivery",
          url: `/lucca-api/webhook-deliveries/${deliveryId}`,
          nextAttemptAt: data.lastUpdatedAt,
          attemptsCount: attempts,
          status: delivered ? "delivered" : "failed",
          event: ref("events", topic, id),
          webhookEndpoint: ref("webhook-endpoints", "webhook-endpoint", "10001"),
          links: { attempts: link(`/lucca-api/webhook-delivery-attempts?webhookDelivery.id=${deliveryId}`) }
        })
        for (let n = 0; n < attempts; n++) {
          const attemptId = String(40001 + webhookDeliveryAttempts.length)
          const successful = delivered && n === attempts - 1
          webhookDeliveryAttempts.push({
            id: attemptId,
            type: "webhook-delivery-attempt",
            url: `/lucca-api/webhook-delivery-attempts/${attemptId}`,
            signature: (yield* Effect.forEach(
              Array.from({ length: 32 }),
              () => Effect.map(intBetween(0, 15), (n) => n.toString(16))
            )).join(""),
            webhookDelivery: ref("webhook-deliveries", "webhook-delivery", deliveryId),
            isSuccessful: successful,
            responseStatusCode: successful ? 202 : 503,
            errorResponseBody: successful ? "" : "Service Unavailable",
            createdAt: data.createdAt,
            links: {}
          })
        }
      }
    }

    return {
      "legal-entities": legalEntities,
      "business-establishments": businessEstablishments,
      departments,
      professions,
      "occupation-categories": occupationCategories,
      "job-qualifications": jobQualifications,
      employees,
      portraits,
      "employee-personal-records": personalRecords,
      employments,
      "employment-templates": employmentTemplates,
      "job-positions": jobPositions,
      "probationary-periods": probationaryPeriods.sort(byId),
      events,
      "webhook-endpoints": webhookEndpoints,
      "webhook-deliveries": webhookDeliveries,
      "webhook-delivery-attempts": webhookDeliveryAttempts
    } satisfies FakeLuccaData.DataSet["resources"]
  })

/** @internal */
export const make = (options?: FakeLuccaData.Options): Effect.Effect<FakeLuccaData.DataSet> =>
  Effect.gen(function*() {
    const seed = String(options?.seed ?? defaultSeed)
    const account = options?.account ?? "example"
    const reference = options?.referenceDate?.getTime() ?? (yield* Clock.currentTimeMillis)
    const today = Dates.toDay(reference)
    const resources = yield* generate(account, today).pipe(
      Random.withSeed(`fake-lucca/${seed}/${account}/${Dates.dayToIsoDate(today)}`)
    )
    return { seed, account, today: Dates.dayToIsoDate(today), resources, webhookEndpointOwners: new Map() }
  })
